// Package checker holds monsim's checkers: each proves one property of a run
// and reports every breach as a Violation naming the checker, the node, the
// simulated time and, in one line, what went wrong. Each file's head says
// what its checker proves and what it does not.
//
// Checkers read the facts a run reports (node events, client histories,
// recovered state hashes); they never call into the system under test.
package checker
