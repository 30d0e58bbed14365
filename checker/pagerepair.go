package checker

import (
	"math/bits"

	"github.com/monsim/monsim/node"
)

// PageRepair proves the page repair's own invariants, from the page events
// and what every monitor reports of its lc:
//
//   - a page is installed only at a committed version: one some monitor
//     had committed or applied by then;
//   - never at a version older than the monitor's own lc: the rest of its
//     store would be ahead of the page, which could never catch up;
//   - never a page of the monitor's own Paxos metadata or version head:
//     a peer's promise is not this monitor's;
//   - each page's source was chosen seeing page reports from a majority
//     of the other monitors;
//   - a monitor with damaged pages, or with installed pages still ahead of
//     its lc, takes no part in the cluster: it does not vote, promise,
//     accept, join a quorum, commit, serve a read, answer a client or a
//     probe, or provide a sync;
//   - a monitor serves a page only from a whole store: not while it is
//     rebuilding its store, not while its store is a partial copy, and
//     never a page it holds damaged itself.
//
// The state the repair ends in is the state hash checker's to judge: a
// page-repair-done reports the hash of version lc, which must equal every
// other monitor's at that version. That is where a page redone with log
// records it already held (the ARIES rule broken) shows. It does not prove
// that a page repair finishes (liveness does).
type PageRepair struct {
	monitors  int
	ranks     []pageRank
	committed uint64 // the highest version any monitor committed or applied
	rec       record
}

type pageRank struct {
	lc         uint64
	repairing  bool   // damaged pages, or pages ahead of lc
	damaged    uint64 // bit p: page p damaged and not yet installed (pages < 64)
	rebuilding bool   // a whole-store repair runs
	partial    bool   // the store was cleared for a full sync that has not finished
}

// NewPageRepair returns the checker for a cluster of the given size.
func NewPageRepair(monitors int) *PageRepair {
	return &PageRepair{monitors: monitors, ranks: make([]pageRank, monitors)}
}

// Observe feeds one event.
func (c *PageRepair) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	c.ranks = grow(c.ranks, ev.Rank)
	r := &c.ranks[ev.Rank]
	if ev.Kind == node.EvCommit {
		c.committed = max(c.committed, ev.Version)
	}
	switch ev.Kind {
	case node.EvApply:
		c.committed = max(c.committed, ev.Version)
		r.lc = ev.Version
	case node.EvStoreOpen:
		r.lc, r.repairing = ev.Version, ev.Mixed
		if !ev.Copy {
			r.rebuilding = false // a switch that finished, reported or not
		}
		if !ev.Mixed {
			r.damaged = 0
		}
	case node.EvSyncChunk:
		if ev.Full {
			r.lc = ev.Version
		}
	case node.EvSyncFinish:
		if ev.Full {
			r.partial = false
		}
	case node.EvMarkedClear:
		r.lc, r.repairing, r.damaged, r.partial = 0, false, 0, true
	case node.EvRepairStart:
		r.repairing, r.damaged, r.rebuilding, r.partial = false, 0, true, false
	case node.EvRepairSwitched:
		r.rebuilding = false
	case node.EvPageDamaged:
		r.repairing = true
		if ev.Page >= 0 && ev.Page < 64 {
			r.damaged |= 1 << ev.Page
		}
	case node.EvPageSource:
		c.source(at, ev)
	case node.EvPageInstalled:
		c.installed(at, ev, r)
	case node.EvPageRepairDone:
		r.repairing, r.damaged, r.lc = false, 0, ev.Version
	case node.EvPageServed:
		c.served(at, ev, r)
	case node.EvVote, node.EvPromise, node.EvAccept, node.EvQuorum, node.EvCommit, node.EvRead,
		node.EvClientReply, node.EvProvide, node.EvProbeReply:
		if r.repairing {
			c.rec.addf(NamePageRepair, ev.Rank, at, "a monitor repairing its pages %s", doing(ev))
		}
	}
}

func (c *PageRepair) source(at int64, ev node.Event) {
	others := ev.Quorum &^ (1 << ev.Rank)
	if need := c.monitors/2 + 1; bits.OnesCount64(others) < need {
		c.rec.addf(NamePageRepair, ev.Rank, at, "page %d's source rank %d was chosen seeing reports from %d of the others, not a majority (%s)",
			ev.Page, ev.Peer, bits.OnesCount64(others), ev.Detail)
	}
}

func (c *PageRepair) installed(at int64, ev node.Event, r *pageRank) {
	switch {
	case ev.Local:
		c.rec.addf(NamePageRepair, ev.Rank, at, "installed page %d, its own Paxos metadata, from rank %d: a peer's promises are not its own",
			ev.Page, ev.Peer)
	case ev.Version > c.committed:
		c.rec.addf(NamePageRepair, ev.Rank, at, "installed page %d from rank %d at version %d, which no monitor had committed (highest %d)",
			ev.Page, ev.Peer, ev.Version, c.committed)
	case ev.Version < r.lc:
		c.rec.addf(NamePageRepair, ev.Rank, at, "installed page %d from rank %d at version %d, older than its own lc %d: the page lost versions %d..%d",
			ev.Page, ev.Peer, ev.Version, r.lc, ev.Version+1, r.lc)
	}
	if ev.Page >= 0 && ev.Page < 64 {
		r.damaged &^= 1 << ev.Page
	}
}

func (c *PageRepair) served(at int64, ev node.Event, r *pageRank) {
	switch {
	case r.rebuilding || r.partial:
		c.rec.addf(NamePageRepair, ev.Rank, at, "served page %d to rank %d from a store being rebuilt or cleared for a full sync", ev.Page, ev.Peer)
	case ev.Page >= 0 && ev.Page < 64 && r.damaged&(1<<ev.Page) != 0:
		c.rec.addf(NamePageRepair, ev.Rank, at, "served page %d to rank %d while it held that page damaged", ev.Page, ev.Peer)
	}
}

// Violations returns what was found.
func (c *PageRepair) Violations() []Violation { return c.rec.list }
