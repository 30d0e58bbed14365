package checker

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/node"
)

func TestLedgerAcceptsAHealthyRun(t *testing.T) {
	l := NewLedger(3)
	healthyStory().feed(l)
	l.AckedWrite(0, 7, 1, 3)
	l.AckedWrite(0, 8, 1, 16)
	require.Empty(t, l.Finish(1))
	require.Empty(t, l.Violations())
}

func TestLedgerCatchesTwoValuesCommittedAtOneVersion(t *testing.T) {
	l := NewLedger(3)
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	s.commitRound(1, 2, 0, 1, 2)
	s.feed(l)
	l.AckedWrite(s.at, 7, 3, 1)
	other := node.Event{Kind: node.EvCommit, Rank: 2, Version: 1, Hash: 0xabc, Epoch: 4}
	l.Observe(s.at+1, other)
	v := l.Violations()
	require.Len(t, v, 1)
	require.Equal(t, NameLedger, v[0].Checker)
	require.Equal(t, 2, v[0].Node)
	require.Contains(t, v[0].Reason, fmt.Sprintf("two values committed at version 1: txn %016x by rank 0 in epoch 2, txn 0000000000000abc by rank 2 in epoch 4", txnAt(1)))
	require.Contains(t, v[0].Reason, "acknowledged writes at risk: client 7 request 3")
}

func TestLedgerCatchesADivergentStateAtAVersionOnce(t *testing.T) {
	l := NewLedger(3)
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	s.commitRound(1, 2, 0, 1)
	s.add(node.Event{Kind: node.EvApply, Rank: 2, Version: 1, Hash: 0x1234})
	s.commitRound(2, 2, 0, 1)
	s.add(node.Event{Kind: node.EvApply, Rank: 2, Version: 2, Hash: 0x5678})
	s.feed(l)
	v := l.Violations()
	require.Len(t, v, 1, "a diverged monitor is reported once, not at every later version")
	require.Contains(t, v[0].Reason, fmt.Sprintf("version 1 has two values: state 0000000000001234 here, %016x on rank 0", stateAfter(1)))
}

func TestLedgerNamesAnAcknowledgedWriteWhoseVersionLaterForks(t *testing.T) {
	l := NewLedger(3)
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	s.commitRound(1, 2, 0, 1, 2)
	s.add(node.Event{Kind: node.EvCommit, Rank: 1, Version: 1, Hash: 0xdead, Epoch: 4})
	s.feed(l)
	l.AckedWrite(s.at+1, 9, 44, 1)
	v := l.Violations()
	require.Len(t, v, 2)
	require.Contains(t, v[1].Reason, "client 9 request 44 was acknowledged at version 1, which has two values")
}

func TestLedgerCatchesAnAckForAVersionNobodyApplied(t *testing.T) {
	l := NewLedger(3)
	s := (&story{}).add(evOpen(0, 0))
	s.commitRound(1, 2, 0)
	s.feed(l)
	l.AckedWrite(s.at, 3, 5, 2)
	v := l.Violations()
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "client 3 request 5 was acknowledged at version 2, which no monitor had applied (highest applied 1)")
}

// A leader whose fsync failed while it applied v stops, reopens its store,
// finds v in its log and makes it durable; answering a retried write from
// it then is sound, even before any other monitor applies v.
func TestLedgerAcceptsAnAckForAVersionRecoveredAtOpen(t *testing.T) {
	l := NewLedger(3)
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	s.commitRound(1, 2, 0, 1, 2)
	s.add(evOpen(0, 2)) // the leader recovered v2 from its log
	s.feed(l)
	l.AckedWrite(s.at, 3, 5, 2)
	s = (&story{at: s.at}).add(evApply(1, 2), evApply(2, 2))
	s.feed(l)
	require.Empty(t, l.Finish(s.at))
	require.Empty(t, l.Violations())
}

func TestLedgerCatchesAnAcknowledgedWriteNoMonitorHoldsAtTheEnd(t *testing.T) {
	l := NewLedger(3)
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	for v := uint64(1); v <= 5; v++ {
		s.commitRound(v, 2, 0, 1)
	}
	s.feed(l)
	l.AckedWrite(s.at, 7, 12, 5)
	// Every copy of version 5 goes: 0 and 1 are cleared, 2 never had it.
	(&story{at: s.at}).add(evClear(0), evOpen(0, 0), evClear(1), evOpen(1, 0)).feed(l)
	found := l.Finish(s.at + 1e9)
	require.Len(t, found, 1)
	require.Equal(t, -1, found[0].Node)
	require.Contains(t, found[0].Reason, "acknowledged write lost: client 7 request 12 committed at version 5")
	require.Contains(t, found[0].Reason, "the most any monitor holds is 0")
	require.Equal(t, found, l.Violations())
}

func TestLedgerDurableLC(t *testing.T) {
	up := func(rank int, to uint64) *story {
		s := (&story{}).add(evOpen(rank, 0))
		for v := uint64(1); v <= to; v++ {
			s.add(evApply(rank, v))
		}
		return s
	}
	cases := []struct {
		name   string
		story  *story
		lost   bool // call StoreLost before the last event
		reason string
	}{
		{name: "a reopened store keeps its lc", story: up(1, 5).add(evOpen(1, 5))},
		{name: "a reopened store lost versions", story: up(1, 5).add(evOpen(1, 3)),
			reason: "durable lc went back from 5 to 3: the store reopened without a marked clear"},
		{name: "a marked clear may drop everything", story: up(1, 5).add(evClear(1), evOpen(1, 0))},
		{name: "a full-sync snapshot chunk is durable", story: up(1, 5).add(evSyncStart(1, 0, true, 5), evClear(1), evChunk(1, 0, true, 20), evOpen(1, 20))},
		{name: "a store reopened below its snapshot chunk lost it", story: up(1, 5).add(evSyncStart(1, 0, true, 5), evClear(1), evChunk(1, 0, true, 20), evOpen(1, 7)),
			reason: "durable lc went back from 20 to 7"},
		{name: "a store the harness wiped starts over", story: up(1, 5).add(evOpen(1, 0)), lost: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLedger(3)
			evs := tc.story.events
			for _, te := range evs[:len(evs)-1] {
				l.Observe(te.at, te.ev)
			}
			if tc.lost {
				l.StoreLost(1)
			}
			last := evs[len(evs)-1]
			l.Observe(last.at, last.ev)
			if tc.reason == "" {
				require.Empty(t, l.Violations())
				return
			}
			require.Len(t, l.Violations(), 1)
			v := l.Violations()[0]
			require.Equal(t, NameLedger, v.Checker)
			require.Equal(t, 1, v.Node)
			require.Equal(t, last.at, v.At)
			require.Contains(t, v.Reason, tc.reason)
		})
	}
}

func TestLedgerStopsRecordingAfterTwentyViolations(t *testing.T) {
	l := NewLedger(1)
	l.Observe(0, evOpen(0, 0))
	for i := range 30 {
		l.Observe(int64(i), evApply(0, 10))
		l.Observe(int64(i), evOpen(0, 1))
	}
	require.Len(t, l.Violations(), maxViolationsPerChecker)
	require.Equal(t, 10, l.rec.dropped)
}

func TestLedgerIgnoresEventsWithImpossibleRanks(t *testing.T) {
	l := NewLedger(3)
	l.Observe(0, node.Event{Kind: node.EvApply, Rank: -1, Version: 1})
	l.Observe(0, node.Event{Kind: node.EvApply, Rank: 1000, Version: 1})
	require.Empty(t, l.Violations())
}

func TestLedgerLeavesInheritedDivergenceToTheOtherCheckers(t *testing.T) {
	// Rank 2 skips version 1 and runs ahead on a wrong state: no value was
	// committed twice, so the ledger stays quiet, and rank 2's states never
	// become the reference the healthy monitors are judged by.
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	s.add(node.Event{Kind: node.EvApply, Rank: 2, Version: 2, Hash: 0xbad2})
	s.add(node.Event{Kind: node.EvApply, Rank: 2, Version: 3, Hash: 0xbad3})
	for v := uint64(1); v <= 3; v++ {
		s.commitRound(v, 2, 0, 1)
	}
	l, h, sy := NewLedger(3), NewStateHash(3), NewSyncInvariants(3)
	s.feed(l, h, sy)
	require.Empty(t, l.Violations())
	require.Empty(t, h.Violations(), "rank 2 ran ahead: no reference existed to judge it by")
	require.Len(t, sy.Violations(), 1)
	require.Contains(t, sy.Violations()[0].Reason, "skipped versions 1..1")
}

// A full sync (or a resume) that ends on a wrong state is the sync,
// state-hash and resume checkers' to report: the version the copy applies
// next is not a second value.
func TestLedgerLeavesAWrongCopyToTheOtherCheckers(t *testing.T) {
	for _, end := range []node.Event{
		{Kind: node.EvSyncFinish, Rank: 2, Peer: 0, Full: true, Version: 3, Hash: 0xbad, FC: 3},
		evResumed(2, 0, resumeFacts(2, 2, 3, 1, 1), 0xbad),
	} {
		s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
		for v := uint64(1); v <= 3; v++ {
			s.commitRound(v, 2, 0, 1)
		}
		s.add(evSyncStart(2, 0, true, 0), evClear(2), evChunk(2, 0, true, 3), end)
		s.add(node.Event{Kind: node.EvApply, Rank: 2, Version: 4, Hash: 0xbad4})
		s.commitRound(4, 2, 0, 1)
		l := NewLedger(3)
		s.feed(l)
		require.Empty(t, l.Violations(), "%s", end.Kind)
	}
}
