// Package harness builds and runs one simulated world from an Options
// struct: the kernel with its network and disks, the monitors bound to it
// through node.Env, the clients that load them and record a history, and
// the observer that traces every monitor event and feeds the checkers. It
// ends a run with a Result: every checker's verdict, the trace hash and the
// run's counters. It is to monsim what TigerBeetle's cluster.zig is to the
// VOPR: scenarios only choose the options and the fault plan.
//
// A cluster run has two phases: the fault phase, in which the plan's faults
// fire, and the heal phase, in which every fault stops and every monitor
// boots. The plan passed in holds only the fault phase; the harness adds
// the heal. The run then checks that the cluster converged (liveness), or,
// for a run that broke every store on purpose, that it stayed unavailable.
//
// The harness knows nothing of the monitor's file layout: fault plans name
// node.Targets and node.Points, which the monitor's configuration turns
// into paths, and Vocabulary checks a plan against them before it runs.
package harness
