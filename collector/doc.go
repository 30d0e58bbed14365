// Package collector is a collector: a daemon outside the monitor cluster
// (an OSD, in Ceph's terms) that reports its state to the monitors and
// keeps, on its own disk, the stream of events the leader records about
// every collector. Like the monitor (package node) it is a pure state
// machine driven by Start, Deliver and Fire, with all I/O through its Env,
// so the harness can crash it, cut its power and cut it off like any
// monitor.
//
// # Reports
//
// A collector talks to one monitor at a time (its session), any member of
// the quorum. It reports its boot, then its status every ReportInterval;
// the monitor acks each report with the events it holds (first..last) and a
// peon forwards the report to the leader, which records a boot, a status
// change, or (once the reports stop arriving for long enough) a stop as a
// numbered event. A collector that hears no ack for SessionTimeout, or is
// refused, tries another monitor. One that finds its own stop in the
// events (it was cut off, not dead) boots again, in a new session.
//
// # The log, and the catch-up rule
//
// The collector's store holds a gap-free log of the committed events: a
// full state at some event (Base, or none), then every event after it up to
// the last confirmed one. It acknowledges (reports as confirmed) only
// events that are durable and follow the log without a gap. Events that
// arrive past a gap (a push lost on the way, or pushes racing a fetch) are
// stored too, but are not part of the log until the gap is filled.
//
// Whenever it comes back (a boot, a power cut, a partition healed, a new
// session), and whenever it finds it is behind, it catches up:
//
//  1. it asks its monitor what follows its last confirmed event: the monitor
//     answers with the events it holds (first..last), and from then on
//     pushes every new one;
//  2. it works out what it misses: every event after its last confirmed one
//     up to last, except those already stored past a gap;
//  3. it requests exactly that, a range at a time. If the monitors trimmed
//     events it misses (first is past the one it needs), it requests the
//     full state at first instead, replaces its log with it, and continues
//     from there.
//
// It never trusts an event it received but has not made durable: it acts on
// an event (its own boot recorded, its own stop) only once the event is in
// the log, and after a restart it resumes after its last confirmed event,
// never after the last one it happened to store.
//
// # Store layout
//
// One node/kvstore store (Config.Dir): col/base and col/table (the full
// state and the event it is at), col/confirmed (the last confirmed event)
// and col/e/<seq> (every event stored after the base, in the log or past a
// gap). Each batch of events, and the confirmed mark that covers them, is
// applied in one synced batch.
package collector
