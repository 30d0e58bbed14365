package checker

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/node"
)

func TestStateHashAcceptsAHealthyRun(t *testing.T) {
	s := NewStateHash(3)
	healthyStory().feed(s)
	require.Empty(t, s.Violations())
}

func TestStateHashCatchesDivergence(t *testing.T) {
	bad := uint64(0xfeedface)
	base := func() *story {
		s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
		for v := uint64(1); v <= 5; v++ {
			s.commitRound(v, 2, 0, 1)
		}
		return s
	}
	cases := []struct {
		name   string
		story  *story
		node   int
		reason string
	}{
		{
			name:   "an apply that reaches another state",
			story:  base().add(evApply(2, 1), node.Event{Kind: node.EvApply, Rank: 2, Version: 2, Hash: bad}),
			node:   2,
			reason: fmt.Sprintf("state after applying version 2 is %016x, but rank 0's apply recorded %016x for it", bad, stateAfter(2)),
		},
		{
			name: "a full sync that ends in another state",
			story: base().add(evSyncStart(2, 0, true, 0), evClear(2), evChunk(2, 0, true, 5),
				node.Event{Kind: node.EvSyncFinish, Rank: 2, Peer: 0, Full: true, Version: 5, FC: 5, Hash: bad}),
			node:   2,
			reason: fmt.Sprintf("full sync from rank 0 ended at version 5 with state %016x, but rank 0's apply recorded %016x", bad, stateAfter(5)),
		},
		{
			name: "a recent sync that ends in another state",
			story: base().add(evSyncStart(2, 1, false, 0),
				node.Event{Kind: node.EvSyncFinish, Rank: 2, Peer: 1, Version: 5, FC: 5, Hash: bad}),
			node:   2,
			reason: "recent sync from rank 1 ended at version 5",
		},
		{
			name:   "a store that reopens in another state than its lc's",
			story:  base().add(node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 4, Hash: bad}),
			node:   1,
			reason: fmt.Sprintf("store opened at version 4 with state %016x, but rank 0's apply recorded %016x", bad, stateAfter(4)),
		},
		{
			name:   "a store with state but no version",
			story:  base().add(node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 0, Hash: bad}),
			node:   1,
			reason: fmt.Sprintf("store opened at version 0 with state %016x, but version 0 is the empty state", bad),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStateHash(3)
			tc.story.feed(s)
			require.Len(t, s.Violations(), 1)
			v := s.Violations()[0]
			require.Equal(t, NameStateHash, v.Checker)
			require.Equal(t, tc.node, v.Node)
			require.Contains(t, v.Reason, tc.reason)
			require.NotContains(t, v.Reason, "%!")
			require.Equal(t, tc.story.at, v.At)
		})
	}
}

func TestStateHashReportsADivergedMonitorOnceUntilItRecovers(t *testing.T) {
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0))
	for v := uint64(1); v <= 3; v++ {
		s.commitRound(v, 2, 0)
	}
	for v := uint64(1); v <= 3; v++ {
		s.add(node.Event{Kind: node.EvApply, Rank: 1, Version: v, Hash: 100 + v})
	}
	s.add(evClear(1), evApply(1, 1), node.Event{Kind: node.EvApply, Rank: 1, Version: 2, Hash: 7})
	h := NewStateHash(2)
	s.feed(h)
	v := h.Violations()
	require.Len(t, v, 2, "one report per divergence: at version 1, then after the clear at version 2")
	require.Contains(t, v[0].Reason, "after applying version 1")
	require.Contains(t, v[1].Reason, "after applying version 2")
}

func TestStateHashNeverTakesAMonitorThatSkippedAVersionAsTheReference(t *testing.T) {
	// Rank 2 skips version 1 and runs ahead: its states at 2 and 3 come
	// first but must not become the yardstick for rank 0.
	s := (&story{}).add(evOpen(0, 0), evOpen(2, 0))
	s.add(node.Event{Kind: node.EvApply, Rank: 2, Version: 2, Hash: 0xbad2})
	s.add(node.Event{Kind: node.EvApply, Rank: 2, Version: 3, Hash: 0xbad3})
	for v := uint64(1); v <= 3; v++ {
		s.commitRound(v, 2, 0)
	}
	h := NewStateHash(3)
	s.feed(h)
	require.Empty(t, h.Violations())

	// Once rank 2 reports a version the reference knows, it is caught.
	h.Observe(s.at+1, node.Event{Kind: node.EvStoreOpen, Rank: 2, Version: 3, Hash: 0xbad3})
	require.Len(t, h.Violations(), 1)
	require.Equal(t, 2, h.Violations()[0].Node)
	require.Contains(t, h.Violations()[0].Reason, "store opened at version 3 with state 000000000000bad3")
}
