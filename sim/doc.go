// Package sim is monsim's deterministic kernel: one virtual clock, one event
// queue, named PRNG streams, node lifecycles, the fault-plan executor, probe
// points, the trace and its rolling hash, and run budgets.
//
// A run is single-threaded. Events are values in a binary heap keyed by
// (time, sequence); dispatch is a switch on the event's kind. Nothing here
// reads the wall clock, starts a goroutine or iterates a map in an order that
// matters, so a seed replays bit for bit, and two runs are compared through
// their trace hashes.
//
// Each node is a Host, driven through that small interface. A node's handler may
// spend simulated time on its disk (faultfs charges each operation); the
// kernel keeps the node busy for that long, delivering its sends and its
// later events only afterwards. A fault that kills the running node (a power
// cut at a probe point, or after its k-th disk operation) unwinds the handler
// at once, so nothing after the cut happens.
//
// The kernel owns the network (netsim) and every disk (faultfs); faults in
// a Plan act on them. Faults, probe points, deliveries, timers and node
// events all go into the Trace.
package sim
