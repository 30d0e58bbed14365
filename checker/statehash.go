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
// Version 0 is the empty state, hash 0.
//
// It does not prove the reference itself right: if the first monitor to
// report v was wrong, the right ones are named as diverging (the reason
// names both sides). It says nothing of states between versions, such as
// a full sync's partly installed snapshot. After a rank diverges it stays
// quiet about that rank until the rank agrees again or clears its store,
// so one divergence gives one report, not one per later version.
type StateHash struct {
	first    versionTable[hashFact]
	diverged []bool
	rec      record
}

// hashFact is the reference state hash of one version and who reported it.
type hashFact struct {
	hash uint64
	rank int
	at   int64
	how  node.EventKind
}

const stateHashName = "state-hash"

// NewStateHash returns a state-hash checker for a cluster of the given size.
func NewStateHash(monitors int) *StateHash {
	s := &StateHash{diverged: make([]bool, max(monitors, 0))}
	s.first.put(0, hashFact{rank: -1})
	return s
}

// Observe feeds one monitor event, at simulated time at.
func (s *StateHash) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	switch ev.Kind {
	case node.EvApply, node.EvSyncFinish, node.EvStoreOpen:
		s.diverged = grow(s.diverged, ev.Rank)
		s.check(at, ev)
	case node.EvMarkedClear:
		s.diverged = grow(s.diverged, ev.Rank)
		s.diverged[ev.Rank] = false
	}
}

func (s *StateHash) check(at int64, ev node.Event) {
	ref, ok := s.first.get(ev.Version)
	if !ok {
		s.first.put(ev.Version, hashFact{hash: ev.Hash, rank: ev.Rank, at: at, how: ev.Kind})
		return
	}
	if ref.hash == ev.Hash {
		s.diverged[ev.Rank] = false
		return
	}
	if s.diverged[ev.Rank] {
		return
	}
	s.diverged[ev.Rank] = true
	var what string
	switch ev.Kind {
	case node.EvApply:
		what = fmt.Sprintf("state after applying version %d is %016x", ev.Version, ev.Hash)
	case node.EvSyncFinish:
		what = fmt.Sprintf("%s from rank %d ended at version %d with state %016x", syncKind(ev.Full), ev.Peer, ev.Version, ev.Hash)
	default:
		what = fmt.Sprintf("store opened at version %d with state %016x", ev.Version, ev.Hash)
	}
	if ev.Version == 0 {
		s.rec.addf(stateHashName, ev.Rank, at, "%s, but version 0 is the empty state (hash 0)", what)
		return
	}
	s.rec.addf(stateHashName, ev.Rank, at, "%s, but rank %d's %s recorded %016x for it at t=%s",
		what, ref.rank, ref.how, ref.hash, formatTime(ref.at))
}

// Violations returns what the checker found so far, in detection order.
func (s *StateHash) Violations() []Violation { return s.rec.list }
