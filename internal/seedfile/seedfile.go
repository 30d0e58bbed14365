// Package seedfile reads and writes saved failing runs: the scenario, seed,
// planted bug and the explicit fault plan that ran, with the failure and the
// trace hash it gave. Writes are atomic (temp file, fsync, rename), so a
// corpus never holds a half-written file; reads are strict, so a truncated
// or hand-mangled file, or one that names an unknown bug, checker, fault
// mode or probe point, is refused with a one-line reason.
package seedfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/atomicfile"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// Format is the version of the layout this package writes. Format 1 files
// (one "mode" string per fault, disk paths as targets, the heal phase in
// the plan) are still read, and converted.
const Format = 2

// File is one saved run.
type File struct {
	Format   int      `json:"format"`
	Build    string   `json:"build"`
	Scenario string   `json:"scenario"`
	Seed     uint64   `json:"seed"`
	Bug      node.Bug `json:"bug,omitempty"`
	Monitors int      `json:"monitors,omitempty"`
	// Collectors is how many collectors ran; absent in files saved before
	// collectors existed, whose runs had none.
	Collectors *int `json:"collectors,omitempty"`
	// NoPageRepair: the run had the monitors' page repair off
	// (simrun -page-repair=false).
	NoPageRepair bool     `json:"no_page_repair,omitempty"`
	Base         uint64   `json:"base,omitempty"`
	Shard        string   `json:"shard,omitempty"`
	Plan         sim.Plan `json:"plan"`
	// Workload, when set, narrows the clients' work (a shrunk failure).
	Workload  *harness.Workload `json:"workload,omitempty"`
	Failure   Failure           `json:"failure"`
	TraceHash string            `json:"trace_hash"`
}

// Failure is the verdict the run gave when it was saved.
type Failure struct {
	Check  checker.Name `json:"check"`
	Reason string       `json:"reason"`
}

// ErrBad wraps every reason a seed file cannot be used.
var ErrBad = errors.New("bad seed file")

// Hash returns the saved trace hash as a number.
func (f *File) Hash() (uint64, error) {
	return strconv.ParseUint(f.TraceHash, 16, 64)
}

// Decode parses and validates a seed file's bytes.
func Decode(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBad, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrBad)
	}
	switch {
	case f.Format == 1:
		if err := f.upgrade(); err != nil {
			return nil, fmt.Errorf("%w: format 1: %v", ErrBad, err)
		}
	case f.Format != Format:
		return nil, fmt.Errorf("%w: format version %d, this build reads 1 and %d", ErrBad, f.Format, Format)
	}
	switch {
	case f.Scenario == "":
		return nil, fmt.Errorf("%w: no scenario", ErrBad)
	case f.TraceHash == "":
		return nil, fmt.Errorf("%w: no trace_hash", ErrBad)
	}
	if _, err := f.Hash(); err != nil {
		return nil, fmt.Errorf("%w: trace_hash %q is not 16 hex digits", ErrBad, f.TraceHash)
	}
	return &f, nil
}

// Read loads and validates a seed file.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Write saves f at path atomically: it never leaves a partial file there.
func Write(path string, f *File) error {
	f.Format = Format
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'))
}

// upgrade converts a format 1 file: its targets were paths on the
// monitor's disk, and its plan held the heal phase that the harness now
// adds itself.
func (f *File) upgrade() error {
	faults := f.Plan.Faults
	for len(faults) > 0 {
		last := faults[len(faults)-1]
		if last.At != harness.FaultPhase || (last.Kind != sim.FaultHeal && last.Kind != sim.FaultRestart) {
			break
		}
		faults = faults[:len(faults)-1]
	}
	for i := range faults {
		if faults[i].Target == "" {
			continue
		}
		t, ok := targetOf(faults[i].Node, string(faults[i].Target))
		if !ok {
			return fmt.Errorf("fault %d: target %q is no part of monitor %d's store", i, faults[i].Target, faults[i].Node)
		}
		faults[i].Target = sim.Target(t)
	}
	f.Plan.Faults, f.Format = faults, Format
	return nil
}

// targetOf finds the target whose path on monitor rank's disk is path.
func targetOf(rank int, path string) (node.Target, bool) {
	cfg := node.Config{Rank: rank}
	for _, t := range node.Targets() {
		if p, _ := cfg.TargetPath(t); p == path {
			return t, true
		}
	}
	return "", false
}
