package sim

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/monsim/monsim/faultfs"
)

// faultJSON is a Fault as plans and seed files spell it. The kind's mode is
// written under its own key (power, corruption or io) and only for that
// kind.
type faultJSON struct {
	At         int64                `json:"at,omitempty"`
	On         *Trigger             `json:"on,omitempty"`
	Kind       FaultKind            `json:"kind"`
	Node       int                  `json:"node"`
	Ref        *NodeRef             `json:"node_ref,omitempty"`
	Peer       int                  `json:"peer,omitempty"`
	Group      []int                `json:"group,omitempty"`
	Peers      []int                `json:"peers,omitempty"`
	Power      *faultfs.PowerMode   `json:"power,omitempty"`
	Corruption *faultfs.CorruptKind `json:"corruption,omitempty"`
	IO         *faultfs.IOClass     `json:"io,omitempty"`
	// Mode is the first plan format's one string for every kind's mode:
	// read, converted, never written.
	Mode   string  `json:"mode,omitempty"`
	Target Target  `json:"target,omitempty"`
	Prob   float64 `json:"prob,omitempty"`
	For    int64   `json:"for,omitempty"`
	Lag    int64   `json:"lag,omitempty"`
}

// MarshalJSON writes the fault with only its own kind's mode.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{At: f.At, On: f.On, Kind: f.Kind, Node: f.Node, Ref: f.Ref, Peer: f.Peer, Group: f.Group,
		Peers: f.Peers, Target: f.Target, Prob: f.Prob, For: f.For, Lag: f.Lag}
	switch f.Kind {
	case FaultPowerLoss:
		j.Power = &f.Power
	case FaultCorrupt:
		j.Corruption = &f.Corruption
	case FaultDiskEIO:
		if f.IO != 0 {
			j.IO = &f.IO
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a fault strictly: unknown fields, unknown kinds and
// modes, and a mode given for another kind are errors.
func (f *Fault) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var j faultJSON
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*f = Fault{At: j.At, On: j.On, Kind: j.Kind, Node: j.Node, Ref: j.Ref, Peer: j.Peer, Group: j.Group,
		Peers: j.Peers, Target: j.Target, Prob: j.Prob, For: j.For, Lag: j.Lag}
	if j.Mode != "" {
		return f.setLegacyMode(j.Mode)
	}
	for _, m := range []struct {
		set  bool
		kind FaultKind
		key  string
	}{{j.Power != nil, FaultPowerLoss, "power"}, {j.Corruption != nil, FaultCorrupt, "corruption"}, {j.IO != nil, FaultDiskEIO, "io"}} {
		if m.set && f.Kind != m.kind {
			return fmt.Errorf("%q is a mode of %s faults, not of %s", m.key, m.kind, f.Kind)
		}
	}
	if j.Power != nil {
		f.Power = *j.Power
	}
	if j.Corruption != nil {
		f.Corruption = *j.Corruption
	}
	if j.IO != nil {
		f.IO = *j.IO
	}
	return nil
}

// setLegacyMode reads the first format's "mode" by the fault's kind.
func (f *Fault) setLegacyMode(mode string) error {
	text := []byte(mode)
	switch f.Kind {
	case FaultPowerLoss:
		return f.Power.UnmarshalText(text)
	case FaultCorrupt:
		return f.Corruption.UnmarshalText(text)
	case FaultDiskEIO:
		return f.IO.UnmarshalText(text)
	}
	return fmt.Errorf("%s faults have no mode, got %q", f.Kind, mode)
}
