package node

import "github.com/cockroachdb/pebble/v2/vfs"

// Env is the monitor's only window on the world, in the spirit of a raft
// node's Ready: the monitor has no clock, no randomness, no network and no
// disk of its own, so the same code can run under a simulator or on a real
// host. Every call happens on the caller's goroutine while the monitor is
// handling Start, Deliver or Fire.
//
// The one ordering rule: persist before send. The monitor writes (and
// syncs) its store before it sends any message that depends on the write;
// a host that batches sends must never reorder them before earlier writes.
type Env interface {
	// Now is the local clock in nanoseconds. It may drift from other
	// monitors' clocks within the bound Config.MaxDriftPPM states.
	Now() int64
	// SetTimer arms a timer that fires after d local nanoseconds with tag.
	SetTimer(d int64, tag uint64) TimerID
	// CancelTimer disarms a pending timer; unknown or fired ids are ignored.
	CancelTimer(id TimerID)
	// Rand returns 64 random bits from the monitor's own stream.
	Rand() uint64
	// Send queues msg for endpoint to. The monitor never touches msg again.
	Send(to int, msg []byte)
	// FS is the monitor's disk.
	FS() vfs.FS
	// Point marks a named step (a probe point); a host may cut power here,
	// in which case Point does not return.
	Point(p Point)
	// Emit reports an event to whoever checks the monitor.
	Emit(ev Event)
	// Reached reports a code probe: a rare condition the monitor reached.
	// It must not change anything the monitor sees.
	Reached(p CodeProbe)
	// Stopped reports that the monitor hit a store error it cannot go on
	// from and now ignores every call, as ceph-mon exits: its host should
	// restart it, as a service manager would. It is called once, last.
	Stopped(err error)
}

// TimerID names a pending timer.
type TimerID uint64
