package netsim

import (
	"fmt"

	"github.com/monsim/monsim/internal/rng"
)

// Delivery is one copy of a message that will arrive.
type Delivery struct {
	// At is the simulated time of arrival, in nanoseconds.
	At int64
	// Msg is a private copy when Corrupted, else the sender's slice itself:
	// receivers must not modify it.
	Msg []byte
	// Dup marks the extra copy of a duplicated message.
	Dup bool
	// Corrupted reports that bits were flipped on the wire.
	Corrupted bool
}

// Drop says why Send delivered nothing.
type Drop int

const (
	// None: the message was not dropped.
	None Drop = iota
	// Partitioned: a partition or block cut the link at send time.
	Partitioned
	// Lost: the link lost the message (LinkOptions.Loss).
	Lost
)

func (d Drop) String() string {
	switch d {
	case None:
		return "none"
	case Partitioned:
		return "partitioned"
	case Lost:
		return "lost"
	}
	return fmt.Sprintf("Drop(%d)", int(d))
}

// Stats counts what the network did to the messages given to Send.
type Stats struct {
	Sent        uint64 // calls to Send, self-sends included
	Partitioned uint64 // dropped because the link was cut
	Lost        uint64 // dropped by Loss
	Duplicated  uint64 // extra copies made by Dup
	Corrupted   uint64 // copies delivered with flipped bits
	Clogged     uint64 // messages held by a clog
}

// Network models the links between nodes 0..n-1. It is not safe for
// concurrent use; one simulation drives it from one goroutine.
type Network struct {
	nodes int
	rng   *rng.Stream
	// links holds the directed link from -> to at from*nodes+to.
	links []link
	// group is each node's partition group; nodes talk only within a group.
	group []int
	stats Stats
}

// New returns a network of nodes nodes whose links all start with defaults,
// unpartitioned. It draws every random decision from r. It panics if
// defaults is invalid (see LinkOptions.Validate).
func New(nodes int, r *rng.Stream, defaults LinkOptions) *Network {
	if nodes <= 0 {
		panic(fmt.Sprintf("netsim: New with %d nodes", nodes))
	}
	if r == nil {
		panic("netsim: New with a nil stream")
	}
	n := &Network{
		nodes: nodes,
		rng:   r,
		links: make([]link, nodes*nodes),
		group: make([]int, nodes),
	}
	n.SetAll(defaults)
	return n
}

// Nodes returns the number of nodes.
func (n *Network) Nodes() int { return n.nodes }

// Stats returns the counts so far.
func (n *Network) Stats() Stats { return n.stats }

// SetLink sets the faults of the directed link from -> to. It panics if o is
// invalid. Options of a self-link are kept but never used.
func (n *Network) SetLink(from, to int, o LinkOptions) {
	mustValid(o)
	n.link(from, to).opts = o
}

// SetAll sets the faults of every link. It panics if o is invalid.
func (n *Network) SetAll(o LinkOptions) {
	mustValid(o)
	for i := range n.links {
		n.links[i].opts = o
	}
}

// Options returns the faults of the directed link from -> to.
func (n *Network) Options(from, to int) LinkOptions { return n.link(from, to).opts }

func mustValid(o LinkOptions) {
	if err := o.Validate(); err != nil {
		panic(err)
	}
}

// link returns the directed link from -> to, panicking on a bad node.
func (n *Network) link(from, to int) *link {
	n.checkNode(from)
	n.checkNode(to)
	return &n.links[from*n.nodes+to]
}

func (n *Network) checkNode(id int) {
	if id < 0 || id >= n.nodes {
		panic(fmt.Sprintf("netsim: node %d outside [0, %d)", id, n.nodes))
	}
}

// Send appends to out what happens to one message sent at now from -> to,
// and reports why it was dropped if it was. It appends nothing on a drop, one
// Delivery normally, and two when the message is duplicated; the copies may
// arrive in either order. msg is never modified.
func (n *Network) Send(now int64, from, to int, msg []byte, out []Delivery) ([]Delivery, Drop) {
	l := n.link(from, to)
	n.stats.Sent++
	if from == to {
		return append(out, Delivery{At: now, Msg: msg}), None
	}
	if !n.connected(l, from, to) {
		n.stats.Partitioned++
		return out, Partitioned
	}
	o := &l.opts
	if n.rng.Chance(o.Loss) {
		n.stats.Lost++
		return out, Lost
	}
	dup := n.rng.Chance(o.Dup)
	// A clog holds the message on the link until release; it then travels
	// with its own latency, so held messages leave in latency order.
	depart := now
	if l.clogUntil > now {
		depart = l.clogUntil
		n.stats.Clogged++
	}
	out = append(out, n.copyOf(depart, o, msg, false))
	if dup {
		n.stats.Duplicated++
		out = append(out, n.copyOf(depart, o, msg, true))
	}
	return out, None
}

// copyOf draws one copy's latency and corruption.
func (n *Network) copyOf(depart int64, o *LinkOptions, msg []byte, dup bool) Delivery {
	d := Delivery{At: depart + o.latency(n.rng), Msg: msg, Dup: dup}
	if n.rng.Chance(o.Corrupt) && len(msg) > 0 {
		d.Msg = corrupt(n.rng, msg)
		d.Corrupted = true
		n.stats.Corrupted++
	}
	return d
}

// Deliverable reports whether a message in flight on from -> to may arrive
// at now, its arrival time. It is false when a partition or block cut the
// link after the message was sent; the kernel then drops the message.
// Connectivity is current state, so today the answer does not depend on now.
func (n *Network) Deliverable(now int64, from, to int) bool {
	return n.Connected(from, to)
}
