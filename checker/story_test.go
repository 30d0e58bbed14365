package checker

import "github.com/monsim/monsim/node"

// A story is a hand-written sequence of monitor events, one microsecond
// apart, for the event checkers' tests.
type story struct {
	at     int64
	events []timedEvent
}

type timedEvent struct {
	at int64
	ev node.Event
}

type observer interface{ Observe(at int64, ev node.Event) }

// stateAfter is the state hash the healthy stories use for version v.
func stateAfter(v uint64) uint64 { return v * 0x9e3779b97f4a7c15 }

// txnAt is the transaction hash the healthy stories commit at version v.
func txnAt(v uint64) uint64 { return v*0xbf58476d1ce4e5b9 + 1 }

func (s *story) add(evs ...node.Event) *story {
	for _, ev := range evs {
		s.at += 1000
		s.events = append(s.events, timedEvent{s.at, ev})
	}
	return s
}

func (s *story) feed(obs ...observer) {
	for _, te := range s.events {
		for _, o := range obs {
			o.Observe(te.at, te.ev)
		}
	}
}

func evOpen(rank int, lc uint64) node.Event {
	return node.Event{Kind: node.EvStoreOpen, Rank: rank, Version: lc, Hash: stateAfter(lc)}
}

func evApply(rank int, v uint64) node.Event {
	return node.Event{Kind: node.EvApply, Rank: rank, Version: v, Hash: stateAfter(v)}
}

func evCommit(rank int, v, epoch uint64) node.Event {
	return node.Event{Kind: node.EvCommit, Rank: rank, Version: v, Hash: txnAt(v), Epoch: epoch}
}

func evClear(rank int) node.Event {
	return node.Event{Kind: node.EvMarkedClear, Rank: rank, Detail: "full sync start"}
}

func evSyncStart(rank, provider int, full bool, lc uint64) node.Event {
	return node.Event{Kind: node.EvSyncStart, Rank: rank, Peer: provider, Full: full, Version: lc}
}

func evChunk(rank, provider int, full bool, lc uint64) node.Event {
	return node.Event{Kind: node.EvSyncChunk, Rank: rank, Peer: provider, Full: full, Version: lc}
}

func evSyncFinish(rank, provider int, full bool, lc, providerLC uint64) node.Event {
	return node.Event{Kind: node.EvSyncFinish, Rank: rank, Peer: provider, Full: full, Version: lc, Hash: stateAfter(lc), FC: providerLC}
}

// commitRound is one version committed by leader and applied everywhere in
// peons.
func (s *story) commitRound(v, epoch uint64, leader int, peons ...int) *story {
	s.add(evApply(leader, v), evCommit(leader, v, epoch))
	for _, p := range peons {
		s.add(evApply(p, v))
	}
	return s
}

// healthyStory is a correct three-monitor run: everyone boots empty;
// rank 0 leads versions 1..10; rank 2 crashes after 5 and reopens there,
// then catches up by a recent sync; rank 1 is wiped by a full sync (the
// snapshot carries it to 12, the redo to 14); a new epoch under rank 1
// commits 15..16.
func healthyStory() *story {
	s := &story{}
	s.add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	for v := uint64(1); v <= 5; v++ {
		s.commitRound(v, 2, 0, 1, 2)
	}
	s.add(evOpen(2, 5))
	for v := uint64(6); v <= 10; v++ {
		s.commitRound(v, 2, 0, 1)
	}
	s.add(evSyncStart(2, 0, false, 5))
	for v := uint64(6); v <= 10; v++ {
		s.add(evApply(2, v))
	}
	s.add(evChunk(2, 0, false, 10), evSyncFinish(2, 0, false, 10, 10))
	// Rank 1 falls out and is brought back by a full sync that first
	// stalls: a restart finds the in-sync mark and clears.
	s.add(evSyncStart(1, 0, true, 10), evClear(1), evChunk(1, 0, true, 10))
	s.add(node.Event{Kind: node.EvMarkedClear, Rank: 1, Detail: "in-sync marker found at boot"}, evOpen(1, 0))
	s.commitRound(11, 2, 0, 2)
	s.commitRound(12, 2, 0, 2)
	s.add(evSyncStart(1, 0, true, 0), evClear(1), evChunk(1, 0, true, 12), evChunk(1, 0, true, 12))
	s.commitRound(13, 2, 0, 2)
	s.commitRound(14, 2, 0, 2)
	s.add(evApply(1, 13), evApply(1, 14), evChunk(1, 0, true, 14), evSyncFinish(1, 0, true, 14, 14))
	s.commitRound(15, 4, 1, 0, 2)
	s.commitRound(16, 4, 1, 0, 2)
	// Rank 2's full sync from rank 0 breaks off after a chunk at 16; it
	// reboots with its partial copy and resumes from rank 1 at 18.
	s.add(evSyncStart(2, 0, true, 16), evClear(2), evChunk(2, 0, true, 16))
	s.add(node.Event{Kind: node.EvStoreOpen, Rank: 2, Version: 16, Hash: 77, Partial: true})
	s.commitRound(17, 4, 1, 0)
	s.commitRound(18, 4, 1, 0)
	offer := resumeFacts(16, 16, 18, 9, 5)
	s.add(node.Event{Kind: node.EvResumeProvide, Rank: 1, Peer: 2, Version: 18, FC: 16, Hash: stateAfter(18), Resume: &offer})
	s.add(evSyncStart(2, 1, true, 16), evResume(2, 1, 16, 16, 18))
	s.add(evChunk(2, 1, true, 18), evResumed(2, 1, resumeFacts(16, 16, 18, 9, 5), stateAfter(18)), evSyncFinish(2, 1, true, 18, 18))
	return s
}

// resumeFacts are a resume's from s1 base..top to s2 at, with digests of
// the given key counts (their hash: the count times a constant).
func resumeFacts(base, top, at uint64, copied, interval int64) node.ResumeFacts {
	return node.ResumeFacts{Base: base, Top: top, At: at, Boundary: "kv/k3",
		Copied:   node.PartDigest{Keys: copied, Hash: uint64(copied) * 0x51},
		Interval: node.PartDigest{Keys: interval, Hash: uint64(interval) * 0x73}}
}

func evResume(rank, provider int, base, top, at uint64) node.Event {
	f := resumeFacts(base, top, at, 0, 0)
	return node.Event{Kind: node.EvSyncResume, Rank: rank, Peer: provider, Version: at, FC: base, Full: true, Resume: &f}
}

func evResumed(rank, provider int, f node.ResumeFacts, hash uint64) node.Event {
	return node.Event{Kind: node.EvSyncResumed, Rank: rank, Peer: provider, Version: f.At, Hash: hash, Full: true, Resume: &f}
}
