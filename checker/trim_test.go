package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

func TestTrimCatchesFirstCommittedGoingBack(t *testing.T) {
	tr := NewTrim(3)
	tr.Observe(1, node.Event{Kind: node.EvApply, Rank: 0, Version: 30, FC: 10})
	tr.Observe(2, node.Event{Kind: node.EvStoreOpen, Rank: 0, Version: 30, FC: 4})
	v := tr.Violations()
	require.Len(t, v, 1)
	require.Equal(t, NameTrim, v[0].Checker)
	require.Contains(t, v[0].Reason, "first_committed went back from 10 to 4 across a restart")
}

func TestTrimCatchesAProbeAnswerThatIsNotWhatTheStoreHolds(t *testing.T) {
	tr := NewTrim(3)
	tr.Observe(1, node.Event{Kind: node.EvApply, Rank: 0, Version: 30, FC: 10})
	tr.Observe(2, node.Event{Kind: node.EvProbeReply, Rank: 0, Peer: 1, Version: 30, FC: 1})
	require.Len(t, tr.Violations(), 1)
	require.Contains(t, tr.Violations()[0].Reason, "told rank 1 it holds versions 1..30, but its durable state says 10..30")
}

func TestTrimAcceptsAClearAndAFullSync(t *testing.T) {
	tr := NewTrim(3)
	tr.Observe(1, node.Event{Kind: node.EvApply, Rank: 0, Version: 30, FC: 10})
	tr.Observe(2, node.Event{Kind: node.EvMarkedClear, Rank: 0})
	tr.Observe(3, node.Event{Kind: node.EvSyncChunk, Rank: 0, Full: true, Version: 80})
	tr.Observe(4, node.Event{Kind: node.EvApply, Rank: 0, Version: 81, FC: 31})
	tr.Observe(5, node.Event{Kind: node.EvStoreOpen, Rank: 0, Version: 81, FC: 31})
	tr.Observe(6, node.Event{Kind: node.EvProbeReply, Rank: 0, Version: 81, FC: 31})
	require.Empty(t, tr.Violations())
}
