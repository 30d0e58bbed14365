// Package campaign runs many simulations at once: a fuzz campaign over
// seeds, the delta debugging that shrinks a failure, and the enumeration of
// crash points along a repair. It is the only place monsim runs in
// parallel. Each simulation stays single-threaded and shares nothing with
// the others; the Pool hands them to workers and gives their results back
// in a fixed order wherever the order decides what happens next, so a
// shrink or a crash-point sweep gives the same answer on one core or many.
package campaign
