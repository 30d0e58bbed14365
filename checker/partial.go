package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// Partial proves that a monitor whose store is a partial copy takes no
// part in the cluster. A store is partial from the moment it is cleared on
// purpose (EvMarkedClear: a full sync starting, or a boot that found a
// full sync unfinished and threw its copy away), or opens holding a copy
// kept to resume (EvStoreOpen, Partial), until a full sync finishes
// (EvSyncFinish, Full), however many times it is resumed meanwhile, or
// until its main store opens holding exactly the committed state of its
// lc. (Power can fail after the sync's end was durable and before it was
// reported, or its last batch can land with its fsync failed; the restart
// reads the batch back and Open makes it durable. A partial copy cannot
// pass for the committed state.) Meanwhile the monitor must not vote,
// promise, accept, join a quorum, commit, serve a read, answer a client,
// provide a sync, or answer a probe as if its store were whole.
//
// It does not prove the copy right once the sync finishes (the state hash
// and sync checkers do), and it leaves a repairing monitor to the repair
// checker: a repair's copy is watched from EvRepairStart on.
type Partial struct {
	partial []bool
	since   []int64
	applied versionTable[uint64] // version -> the state hash a monitor applied it with
	rec     record
}

// NewPartial returns the checker for a cluster of the given size.
func NewPartial(monitors int) *Partial {
	return &Partial{partial: make([]bool, monitors), since: make([]int64, monitors)}
}

// Observe feeds one event.
func (p *Partial) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	p.partial, p.since = grow(p.partial, ev.Rank), grow(p.since, ev.Rank)
	switch ev.Kind {
	case node.EvMarkedClear:
		if !p.partial[ev.Rank] {
			p.partial[ev.Rank], p.since[ev.Rank] = true, at
		}
	case node.EvStoreOpen:
		switch {
		case ev.Partial && !ev.Copy && !p.partial[ev.Rank]:
			p.partial[ev.Rank], p.since[ev.Rank] = true, at
		case !ev.Partial && !ev.Copy && p.whole(ev):
			p.partial[ev.Rank] = false
		}
	case node.EvSyncFinish:
		if ev.Full {
			p.partial[ev.Rank] = false
		}
	case node.EvApply:
		p.applied.put(ev.Version, ev.Hash)
	case node.EvRepairStart:
		p.partial[ev.Rank] = false
	case node.EvProbeReply:
		if p.partial[ev.Rank] && !ev.Syncing {
			p.report(at, ev, fmt.Sprintf("answered rank %d's probe as a whole store at lc %d", ev.Peer, ev.Version))
		}
	case node.EvVote, node.EvPromise, node.EvAccept, node.EvQuorum, node.EvCommit, node.EvRead,
		node.EvClientReply, node.EvProvide, node.EvResumeProvide:
		if p.partial[ev.Rank] {
			p.report(at, ev, doing(ev))
		}
	}
}

// whole says whether a store opens with the committed state of its lc.
func (p *Partial) whole(ev node.Event) bool {
	h, ok := p.applied.get(ev.Version)
	return ok && h == ev.Hash
}

func (p *Partial) report(at int64, ev node.Event, what string) {
	p.rec.addf(NamePartial, ev.Rank, at, "%s while its store was a partial copy (cleared at t=%s, no full sync finished since)",
		what, formatTime(p.since[ev.Rank]))
}

// Violations returns what was found.
func (p *Partial) Violations() []Violation { return p.rec.list }
