package collector

import (
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/monsim/monsim/node"
)

// Env is the collector's only window on the world, as node.Env is the
// monitor's: no clock, randomness, network or disk of its own. Every call
// happens while the collector handles Start, Deliver or Fire. The ordering
// rule is the monitor's: it writes (and syncs) before it sends anything that
// depends on the write.
type Env interface {
	// Now is the local clock in nanoseconds.
	Now() int64
	// SetTimer arms a timer that fires after d local nanoseconds with tag.
	SetTimer(d int64, tag uint64) TimerID
	// CancelTimer disarms a pending timer; unknown or fired ids are ignored.
	CancelTimer(id TimerID)
	// Rand returns 64 random bits from the collector's own stream.
	Rand() uint64
	// Send queues msg for endpoint to (a monitor's rank).
	Send(to int, msg []byte)
	// FS is the collector's disk.
	FS() vfs.FS
	// Point marks a named step; a host may cut power here, in which case
	// Point does not return.
	Point(p Point)
	// Emit reports an event to whoever checks the collector.
	Emit(ev Event)
	// Reached reports a code probe (CodeProbes lists them).
	Reached(p node.CodeProbe)
	// Stopped reports that the store failed and the collector now ignores
	// every call: its host should restart it. Called once, last.
	Stopped(err error)
}

// TimerID names a pending timer.
type TimerID uint64
