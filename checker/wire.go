package checker

import "github.com/monsim/monsim/node"

// Wire proves that every message a monitor drops as corrupt was corrupted
// on the wire. The network's corruption fault is caught by each message's
// CRC32C; a message whose checksum holds and that still fails to decode was
// written wrong by its sender (an encoder that dropped or reordered a
// field) or read wrong by its receiver. The protocol survives such drops on
// retries and fallbacks (a resume whose requests never decode ends in a
// full sync), so no checker of its outcome sees them.
//
// It does not look at messages that decode: what they say is the other
// checkers' business.
type Wire struct {
	rec record
}

// NewWire returns the checker.
func NewWire() *Wire { return &Wire{} }

// Malformed records that rank dropped, as corrupt, a message of type typ
// from peer whose checksum held.
func (w *Wire) Malformed(at int64, rank, from int, typ node.MsgType) {
	w.rec.addf(NameWire, rank, at, "dropped a %s message from rank %d whose checksum held: its sender wrote it wrong, or it read it wrong",
		typ, from)
}

// Violations returns what was found.
func (w *Wire) Violations() []Violation { return w.rec.list }
