package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// SyncInvariants proves, per monitor, that versions are applied
// contiguously and that syncs end where their providers were:
//
//   - Each EvApply is of the version after the last one: the last is set by
//     EvStoreOpen (the recovered lc), EvMarkedClear (0) and a full sync's
//     EvSyncChunk (the snapshot install jumps the lc). So no version is
//     skipped and none applied twice, during a recent sync or otherwise.
//   - A sync starts from the lc the monitor last reached, a full sync's lc
//     moves only forward, and never jumps once its redo versions began.
//   - Every sync that finishes (EvSyncFinish) ends at the provider's final
//     lc (FC): a full sync that stops short did not reach the provider's
//     state; a recent one skipped versions.
//
// It does not check what the versions contain (the ledger and state hash
// do), nor the repair mark's transitions, nor who may provide: no event
// reports those yet.
type SyncInvariants struct {
	ranks []syncRank
	rec   record
}

// syncRank tracks one monitor.
type syncRank struct {
	known    bool   // last is meaningful: the store was opened or cleared
	last     uint64 // the last version reached
	inSync   bool
	full     bool
	provider int
	redo     bool // a version was applied during this full sync
}

// NewSyncInvariants returns a sync checker for a cluster of the given size.
func NewSyncInvariants(monitors int) *SyncInvariants {
	return &SyncInvariants{ranks: make([]syncRank, max(monitors, 0))}
}

// Observe feeds one monitor event, at simulated time at.
func (s *SyncInvariants) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	s.ranks = grow(s.ranks, ev.Rank)
	r := &s.ranks[ev.Rank]
	switch ev.Kind {
	case node.EvStoreOpen:
		*r = syncRank{known: true, last: ev.Version}
	case node.EvStoreFailed:
		*r = syncRank{}
	case node.EvMarkedClear:
		r.known, r.last = true, 0
	case node.EvApply:
		s.apply(at, ev, r)
	case node.EvSyncStart:
		if r.known && ev.Version != r.last {
			s.rec.addf(NameSync, ev.Rank, at, "%s from rank %d started at lc %d, but the monitor last reached version %d",
				syncKind(ev.Full), ev.Peer, ev.Version, r.last)
		}
		r.inSync, r.full, r.provider, r.redo = true, ev.Full, ev.Peer, false
		r.known, r.last = true, ev.Version
	case node.EvSyncChunk:
		if ev.Full {
			s.snapshotChunk(at, ev, r)
		}
	case node.EvSyncFinish:
		if ev.Version != ev.FC {
			s.rec.addf(NameSync, ev.Rank, at, "%s from rank %d finished at version %d, but the provider's final lc was %d",
				syncKind(ev.Full), ev.Peer, ev.Version, ev.FC)
		}
		r.inSync = false
	case node.EvSyncAbort:
		r.inSync = false
	}
}

func (s *SyncInvariants) apply(at int64, ev node.Event, r *syncRank) {
	if r.inSync && r.full {
		r.redo = true
	}
	if r.known && ev.Version != r.last+1 {
		s.gap(at, ev, r)
	}
	r.known, r.last = true, ev.Version
}

func (s *SyncInvariants) gap(at int64, ev node.Event, r *syncRank) {
	during := ""
	if r.inSync {
		during = fmt.Sprintf(" during a %s from rank %d", syncKind(r.full), r.provider)
	}
	if ev.Version <= r.last {
		s.rec.addf(NameSync, ev.Rank, at, "applied version %d again%s: it had already reached version %d", ev.Version, during, r.last)
		return
	}
	s.rec.addf(NameSync, ev.Rank, at, "skipped versions %d..%d%s: applied %d right after %d", r.last+1, ev.Version-1, during, ev.Version, r.last)
}

// snapshotChunk moves the base to a full-sync chunk's lc: installing the
// provider's snapshot jumps it, forward only, and only before the versions
// committed after the snapshot (the redo) begin.
func (s *SyncInvariants) snapshotChunk(at int64, ev node.Event, r *syncRank) {
	switch {
	case ev.Version < r.last && r.known:
		s.rec.addf(NameSync, ev.Rank, at, "full-sync chunk from rank %d moved lc back from %d to %d", ev.Peer, r.last, ev.Version)
	case ev.Version > r.last && r.redo:
		s.rec.addf(NameSync, ev.Rank, at, "full-sync chunk from rank %d jumped lc from %d to %d after redo versions began: versions %d..%d never applied",
			ev.Peer, r.last, ev.Version, r.last+1, ev.Version)
	}
	r.known, r.last = true, ev.Version
}

func syncKind(full bool) string {
	if full {
		return "full sync"
	}
	return "recent sync"
}

// Violations returns what the checker found so far, in detection order.
func (s *SyncInvariants) Violations() []Violation { return s.rec.list }
