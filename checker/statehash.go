package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// StateHash proves that every monitor's service state after version v is
// the same: the first state hash reported for v (by an EvApply, a sync's
// EvSyncFinish or a store's EvStoreOpen) is the reference, and every later
// report of v must equal it. So a full sync and a recent sync that reach v
// yield the same state as applying v one version at a time, and a store
// recovered after a crash holds exactly the state of the version it claims.
// Version 0 is the empty state, hash 0. A store that holds pages of other
// versions (Mixed: a page repair under way) claims no state; its check-in
// when the repair is done (EvPageRepairDone) is judged like a sync's end.
//
// The reference for v comes only from a monitor whose state was right at
// v-1 (or from a store or sync ending at v), so a monitor that skipped a
// version never becomes the yardstick. It does not prove the reference
// itself right: if the first trusted report of v was wrong, the right ones
// are named as diverging (the reason names both sides). A monitor that
// runs ahead on a wrong state is judged only at versions someone else
// reported first. It says nothing of states between versions, such as a
// full sync's partly installed snapshot or a partial copy kept across a
// restart (the resume checker judges a resumed copy). After a rank
// diverges it stays quiet about that rank until the rank agrees again or
// clears its store, so one divergence gives one report, not one per later
// version.
type StateHash struct {
	first versionTable[hashFact]
	ranks []hashRank
	rec   record
}

// hashFact is the reference state hash of one version and who reported it.
type hashFact struct {
	hash uint64
	rank int
	at   int64
	how  node.EventKind
}

// hashRank tracks one monitor: the version its state is at, whether that
// state is believed right (agreed: it matched the reference, or was built
// only from trusted steps), and whether its divergence was reported (then
// it is quiet until it agrees again or is cleared).
type hashRank struct {
	known    bool
	last     uint64
	agreed   bool
	diverged bool
}

// NewStateHash returns a state-hash checker for a cluster of the given size.
func NewStateHash(monitors int) *StateHash {
	s := &StateHash{ranks: make([]hashRank, max(monitors, 0))}
	s.first.put(0, hashFact{rank: -1})
	return s
}

// Observe feeds one monitor event, at simulated time at.
func (s *StateHash) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	s.ranks = grow(s.ranks, ev.Rank)
	r := &s.ranks[ev.Rank]
	switch {
	case ev.Mixed && (ev.Kind == node.EvApply || ev.Kind == node.EvStoreOpen || ev.Kind == node.EvPageRepairDone):
		r.known, r.last, r.agreed = true, ev.Version, false
		return
	case ev.Kind == node.EvPageRepairDone:
		s.check(at, ev, r, false)
		return
	}
	switch ev.Kind {
	case node.EvApply:
		// Only an apply onto the previous version's agreed state may set
		// the reference: one after a skipped version reaches a wrong
		// state the healthy monitors must not be judged by.
		s.check(at, ev, r, !r.known || (r.agreed && r.last+1 == ev.Version))
	case node.EvStoreOpen:
		if ev.Partial { // a copy kept to resume its sync: as trusted as the chunks it came from
			r.known, r.last, r.agreed = true, ev.Version, true
			return
		}
		s.check(at, ev, r, !r.known || r.agreed)
	case node.EvSyncFinish:
		s.check(at, ev, r, !r.known || r.agreed)
	case node.EvMarkedClear:
		*r = hashRank{known: true, agreed: true}
	case node.EvSyncChunk:
		if ev.Full { // the provider's snapshot: trusted until the sync ends
			r.known, r.last, r.agreed = true, ev.Version, true
		}
	}
}

func (s *StateHash) check(at int64, ev node.Event, r *hashRank, trusted bool) {
	r.known, r.last = true, ev.Version
	ref, ok := s.first.get(ev.Version)
	if !ok {
		r.agreed = trusted
		if trusted {
			s.first.put(ev.Version, hashFact{hash: ev.Hash, rank: ev.Rank, at: at, how: ev.Kind})
		}
		return
	}
	r.agreed = ref.hash == ev.Hash
	if r.agreed {
		r.diverged = false
		return
	}
	if r.diverged {
		return
	}
	r.diverged = true
	var what string
	switch ev.Kind {
	case node.EvApply:
		what = fmt.Sprintf("state after applying version %d is %016x", ev.Version, ev.Hash)
	case node.EvSyncFinish:
		what = fmt.Sprintf("%s from rank %d ended at version %d with state %016x", syncKind(ev.Full), ev.Peer, ev.Version, ev.Hash)
	case node.EvPageRepairDone:
		what = fmt.Sprintf("page repair caught up at version %d with state %016x", ev.Version, ev.Hash)
	default:
		what = fmt.Sprintf("store opened at version %d with state %016x", ev.Version, ev.Hash)
	}
	if ev.Version == 0 {
		s.rec.addf(NameStateHash, ev.Rank, at, "%s, but version 0 is the empty state (hash 0)", what)
		return
	}
	s.rec.addf(NameStateHash, ev.Rank, at, "%s, but rank %d's %s recorded %016x for it at t=%s",
		what, ref.rank, ref.how, ref.hash, formatTime(ref.at))
}

// Reference is the state hash of version v that every monitor's must
// equal, if one is known yet.
func (s *StateHash) Reference(v uint64) (uint64, bool) {
	f, ok := s.first.get(v)
	return f.hash, ok
}

// Violations returns what the checker found so far, in detection order.
func (s *StateHash) Violations() []Violation { return s.rec.list }
