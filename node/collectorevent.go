package node

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
)

// Collectors are daemons outside the monitor cluster (OSDs, in Ceph's
// terms) that report their state to the monitors and keep a copy of the
// stream of events the leader records about them. These are the types both
// sides share: one event, one collector's state, and the table of every
// collector's state that the events build, as Ceph's incremental maps build
// the OSD map.

// CollectorChange is what a collector event records.
type CollectorChange uint8

const (
	CollectorBoot   CollectorChange = iota + 1 // it booted: Inc is its new incarnation, Nonce the session that booted
	CollectorStatus                            // it reported a new Status
	CollectorStop                              // it was marked down (its reports stopped arriving): the stop event
)

var changeNames = [...]string{"", "boot", "status", "stop"}

func (c CollectorChange) String() string {
	if c > 0 && int(c) < len(changeNames) {
		return changeNames[c]
	}
	return fmt.Sprintf("change-%d", c)
}

// CollectorEvent is one numbered change of a collector's state, as the
// leader committed it. Seq numbers the events 1, 2, ... with no gap.
type CollectorEvent struct {
	Seq       uint64
	Collector int
	Change    CollectorChange
	Inc       uint64 // the incarnation it concerns: the boot's new one, or the one that stopped
	Nonce     uint64 // boot: the session that booted
	Status    uint64 // boot and status: the status reported
}

// ErrBadCollectorRecord is returned for an event or table that does not
// decode.
var ErrBadCollectorRecord = errors.New("malformed collector record")

func (ev *CollectorEvent) encode(e *encoder) {
	e.uvarint(ev.Seq)
	e.varint(int64(ev.Collector))
	e.u8(uint8(ev.Change))
	e.uvarint(ev.Inc)
	e.uvarint(ev.Nonce)
	e.uvarint(ev.Status)
}

func (ev *CollectorEvent) decode(d *decoder) {
	ev.Seq = d.uvarint()
	ev.Collector = int(d.varint())
	ev.Change = CollectorChange(d.u8())
	ev.Inc = d.uvarint()
	ev.Nonce = d.uvarint()
	ev.Status = d.uvarint()
}

// Encode returns the event's bytes, as a monitor stores and sends them.
func (ev CollectorEvent) Encode() []byte {
	e := encoder{b: make([]byte, 0, 24)}
	ev.encode(&e)
	return e.b
}

// DecodeCollectorEvent parses what Encode wrote.
func DecodeCollectorEvent(b []byte) (CollectorEvent, error) {
	d := decoder{b: b}
	var ev CollectorEvent
	ev.decode(&d)
	if d.err != nil || len(d.b) != 0 || ev.Change == 0 || int(ev.Change) >= len(changeNames) {
		return CollectorEvent{}, fmt.Errorf("%w: event", ErrBadCollectorRecord)
	}
	return ev, nil
}

// CollectorState is one collector's state after some event.
type CollectorState struct {
	ID     int
	Up     bool
	Inc    uint64 // the incarnation of its last boot event
	Nonce  uint64 // the session its last boot event recorded
	Status uint64
	Since  uint64 // the event that last changed it
}

// CollectorTable is every collector's state after some event: the full
// state a collector takes when the events it misses were trimmed. Its zero
// value is the table before any event.
type CollectorTable struct {
	states []CollectorState // sorted by ID
}

// Get returns collector id's state, and whether any event named it yet.
func (t *CollectorTable) Get(id int) (CollectorState, bool) {
	i, ok := slices.BinarySearchFunc(t.states, id, func(s CollectorState, id int) int { return s.ID - id })
	if !ok {
		return CollectorState{ID: id}, false
	}
	return t.states[i], true
}

// Apply changes the table as ev says.
func (t *CollectorTable) Apply(ev CollectorEvent) {
	i, ok := slices.BinarySearchFunc(t.states, ev.Collector, func(s CollectorState, id int) int { return s.ID - id })
	if !ok {
		t.states = slices.Insert(t.states, i, CollectorState{ID: ev.Collector})
	}
	s := &t.states[i]
	switch ev.Change {
	case CollectorBoot:
		s.Up, s.Inc, s.Nonce, s.Status = true, ev.Inc, ev.Nonce, ev.Status
	case CollectorStatus:
		s.Status = ev.Status
	case CollectorStop:
		s.Up = false
	}
	s.Since = ev.Seq
}

// Encode returns the table's bytes.
func (t *CollectorTable) Encode() []byte {
	e := encoder{b: make([]byte, 0, 8+16*len(t.states))}
	e.uvarint(uint64(len(t.states)))
	for _, s := range t.states {
		e.varint(int64(s.ID))
		e.boolean(s.Up)
		e.uvarint(s.Inc)
		e.uvarint(s.Nonce)
		e.uvarint(s.Status)
		e.uvarint(s.Since)
	}
	return e.b
}

// DecodeCollectorTable parses what Encode wrote; nil is the empty table.
func DecodeCollectorTable(b []byte) (CollectorTable, error) {
	if len(b) == 0 {
		return CollectorTable{}, nil
	}
	d := decoder{b: b}
	n := d.count()
	t := CollectorTable{states: make([]CollectorState, 0, n)}
	for range n {
		s := CollectorState{ID: int(d.varint()), Up: d.boolean(), Inc: d.uvarint(), Nonce: d.uvarint(),
			Status: d.uvarint(), Since: d.uvarint()}
		if len(t.states) > 0 && s.ID <= t.states[len(t.states)-1].ID {
			return CollectorTable{}, fmt.Errorf("%w: table out of order", ErrBadCollectorRecord)
		}
		t.states = append(t.states, s)
	}
	if d.err != nil || len(d.b) != 0 {
		return CollectorTable{}, fmt.Errorf("%w: table", ErrBadCollectorRecord)
	}
	return t, nil
}

// Hash is the digest the checkers compare: equal tables, equal hashes,
// however each side built its table.
func (t *CollectorTable) Hash() uint64 {
	h := fnv.New64a()
	h.Write(t.Encode())
	return h.Sum64()
}
