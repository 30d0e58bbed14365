package checker

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/node"
)

func TestSyncInvariantsAcceptAHealthyRun(t *testing.T) {
	s := NewSyncInvariants(3)
	healthyStory().feed(s)
	require.Empty(t, s.Violations())
}

func TestSyncInvariantsCatchBrokenSyncs(t *testing.T) {
	// Rank 1 holds 1..3 when each story below starts.
	start := func() *story {
		s := (&story{}).add(evOpen(1, 0))
		for v := uint64(1); v <= 3; v++ {
			s.add(evApply(1, v))
		}
		return s
	}
	cases := []struct {
		name   string
		story  *story
		reason string
	}{
		{
			name:   "a recent sync that skips a version",
			story:  start().add(evSyncStart(1, 0, false, 3), evApply(1, 4), evApply(1, 6)),
			reason: "skipped versions 5..5 during a recent sync from rank 0: applied 6 right after 4",
		},
		{
			name:   "a recent sync that applies a version twice",
			story:  start().add(evSyncStart(1, 0, false, 3), evApply(1, 4), evApply(1, 4)),
			reason: "applied version 4 again during a recent sync from rank 0: it had already reached version 4",
		},
		{
			name:   "a recent sync that stops short of the provider",
			story:  start().add(evSyncStart(1, 0, false, 3), evApply(1, 4), evSyncFinish(1, 0, false, 4, 9)),
			reason: "recent sync from rank 0 finished at version 4, but the provider's final lc was 9",
		},
		{
			name: "a full sync that stops short of the provider",
			story: start().add(evSyncStart(1, 2, true, 3), evClear(1), evChunk(1, 2, true, 10),
				evApply(1, 11), evSyncFinish(1, 2, true, 11, 14)),
			reason: "full sync from rank 2 finished at version 11, but the provider's final lc was 14",
		},
		{
			name: "a full sync whose lc jumps after its redo began",
			story: start().add(evSyncStart(1, 2, true, 3), evClear(1), evChunk(1, 2, true, 10),
				evApply(1, 11), evChunk(1, 2, true, 13)),
			reason: "full-sync chunk from rank 2 jumped lc from 11 to 13 after redo versions began: versions 12..13 never applied",
		},
		{
			name: "a full sync whose lc goes back",
			story: start().add(evSyncStart(1, 2, true, 3), evClear(1), evChunk(1, 2, true, 10),
				evChunk(1, 2, true, 8)),
			reason: "full-sync chunk from rank 2 moved lc back from 10 to 8",
		},
		{
			name:   "a sync that starts from an lc the monitor never reached",
			story:  start().add(evSyncStart(1, 0, false, 4)),
			reason: "recent sync from rank 0 started at lc 4, but the monitor last reached version 3",
		},
		{
			name:   "a version applied out of order outside any sync",
			story:  start().add(evApply(1, 5)),
			reason: "skipped versions 4..4: applied 5 right after 3",
		},
		{
			name:   "a version applied after the store reopened lower",
			story:  start().add(evOpen(1, 2), evApply(1, 4)),
			reason: "skipped versions 3..3: applied 4 right after 2",
		},
		{
			name:   "a version applied after a marked clear",
			story:  start().add(evClear(1), evApply(1, 4)),
			reason: "skipped versions 1..3: applied 4 right after 0",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSyncInvariants(3)
			tc.story.feed(s)
			require.Len(t, s.Violations(), 1, "%v", s.Violations())
			v := s.Violations()[0]
			require.Equal(t, NameSync, v.Checker)
			require.Equal(t, 1, v.Node)
			require.Equal(t, tc.story.at, v.At)
			require.Contains(t, v.Reason, tc.reason)
		})
	}
}

func TestSyncInvariantsAcceptAnAbortedSyncAndARestart(t *testing.T) {
	s := (&story{}).add(evOpen(1, 0), evApply(1, 1), evApply(1, 2))
	s.add(evSyncStart(1, 0, false, 2), evApply(1, 3), node.Event{Kind: node.EvSyncAbort, Rank: 1, Peer: 0, Detail: "sync timed out"})
	s.add(evSyncStart(1, 2, false, 3), evApply(1, 4), evChunk(1, 2, false, 4), evSyncFinish(1, 2, false, 4, 4))
	s.add(node.Event{Kind: node.EvStoreFailed, Rank: 1}, evOpen(1, 3), evApply(1, 4))
	c := NewSyncInvariants(3)
	s.feed(c)
	require.Empty(t, c.Violations())
}
