package netsim

import "fmt"

// Partition splits the nodes into groups and cuts all traffic, both ways,
// between nodes of different groups. Nodes listed in no group form one more
// group together. It replaces any earlier partition; blocks and clogs stay.
// Partition() with no groups joins everyone again. A node listed twice is a
// caller error and panics.
func (n *Network) Partition(groups ...[]int) {
	next := make([]int, n.nodes) // 0: the group of unlisted nodes
	for g, members := range groups {
		for _, id := range members {
			n.checkNode(id)
			if next[id] != 0 {
				panic(fmt.Sprintf("netsim: node %d in two partition groups", id))
			}
			next[id] = g + 1
		}
	}
	n.group = next
}

// Block cuts the one direction from -> to; to -> from is untouched.
// Blocking a self-link has no effect: a node always reaches itself.
func (n *Network) Block(from, to int) { n.link(from, to).blocked = true }

// Unblock undoes Block(from, to). A partition between them stays.
func (n *Network) Unblock(from, to int) { n.link(from, to).blocked = false }

// Clog holds the link from -> to until the simulated time until: a message
// sent on it before until arrives no earlier than until plus its own
// latency, so held messages arrive after until in the order of their
// latencies. With equal latencies they arrive together, and the kernel's
// tie-break by scheduling order keeps them in send order. A later Clog on
// the same link replaces the release time, earlier or later. Messages already
// in flight are not held. A self-link is never clogged.
func (n *Network) Clog(from, to int, until int64) { n.link(from, to).clogUntil = until }

// Unclog releases the link from -> to now: later messages are not held.
// Messages already held keep their arrival times.
func (n *Network) Unclog(from, to int) { n.link(from, to).clogUntil = 0 }

// Heal removes every partition, block and clog. Link options stay as set.
func (n *Network) Heal() {
	for i := range n.group {
		n.group[i] = 0
	}
	for i := range n.links {
		n.links[i].blocked = false
		n.links[i].clogUntil = 0
	}
}

// Connected reports whether from can reach to now: neither a partition nor a
// block cuts the link. Clogs and probabilistic faults do not count; a
// clogged link is slow, not cut. A node is always connected to itself.
func (n *Network) Connected(from, to int) bool {
	return n.connected(n.link(from, to), from, to)
}

func (n *Network) connected(l *link, from, to int) bool {
	return from == to || (!l.blocked && n.group[from] == n.group[to])
}
