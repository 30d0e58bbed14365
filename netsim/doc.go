// Package netsim is the simulated network: a pure model of what happens to
// each message between nodes 0..n-1.
//
// netsim has no clock and no queue. The simulation kernel tells it the
// simulated time (int64 nanoseconds) of every call, asks Send what becomes
// of a message, schedules the resulting deliveries itself, and asks
// Deliverable when a delivery falls due. Every random decision is drawn from
// the one *rng.Stream given to New, in call order, so the same stream and the
// same calls give the same deliveries, bit for bit.
//
// # Fault model
//
// Faults are set per directed link (from -> to) through LinkOptions: one
// probability per fault, each zero by default, so the zero LinkOptions is a
// perfect network that delivers every message at once, in order, intact.
//
//   - Latency: each copy of a message travels for a base latency drawn
//     uniformly from [LatencyMin, LatencyMax], plus, with chance TailProb, a
//     tail delay drawn uniformly from [0, TailMax]. Copies are independent, so
//     any spread in latency reorders messages on the same link.
//   - Loss: with chance Loss a message vanishes (Drop Lost).
//   - Duplication: with chance Dup a second copy travels with its own latency
//     and its own corruption draw. A message is duplicated at most once.
//   - Corruption: with chance Corrupt per copy, 1 to 3 distinct bits of a
//     private copy are flipped. The sender's slice is never written. An empty
//     message has no bits to flip and always arrives intact. A corrupted copy
//     always differs from what was sent, so a receiver's checksum can, and
//     must, reject it.
//
// Connectivity faults are state, changed by the kernel's fault plan:
//
//   - Partition splits the nodes into groups with no traffic between groups,
//     in either direction.
//   - Block cuts one direction of one link.
//   - Clog holds a link until a given time: a message sent before then
//     arrives no earlier than the release time plus its own latency.
//
// A message is checked twice against connectivity: Send drops it (Drop
// Partitioned) when the link is cut at send time, and Deliverable reports
// false when a cut appeared while it was in flight, in which case the kernel
// drops it on arrival. A clog only affects messages sent while it holds;
// messages already in flight keep their arrival time.
//
// A message from a node to itself never touches the wire: it arrives with zero
// latency and no faults, whatever the options, partitions, blocks or clogs.
//
// Heal removes every partition, block and clog but leaves LinkOptions alone;
// the kernel turns probabilistic faults off for the liveness phase with
// SetAll(LinkOptions{}).
//
// # What netsim does not model
//
// Bandwidth, queueing and congestion (a link carries any number of messages
// at once), message size affecting latency, connection state, and
// asymmetric clock skew. Loss is independent per message, not bursty; bursts
// come from partitions and clogs in the fault plan.
package netsim
