package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// A monitor mid full sync, or back from a boot that threw a partial copy
// away, takes part in nothing until a full sync finishes; answering a
// probe is fine only as "syncing".
func TestPartialCatchesAPartialStoreTakingPart(t *testing.T) {
	clear := node.Event{Kind: node.EvMarkedClear, Rank: 1, Detail: "full sync start"}
	for _, ev := range []node.Event{
		{Kind: node.EvVote, Rank: 1, Peer: 0, Epoch: 3},
		{Kind: node.EvAccept, Rank: 1, Version: 9},
		{Kind: node.EvProvide, Rank: 1, Peer: 2},
		{Kind: node.EvProbeReply, Rank: 1, Peer: 2, Version: 40},
		{Kind: node.EvRead, Rank: 1, Peer: 7},
	} {
		p := NewPartial(3)
		p.Observe(1, clear)
		p.Observe(2, ev)
		v := p.Violations()
		require.Len(t, v, 1, "%v", ev.Kind)
		require.Equal(t, NamePartial, v[0].Checker)
		require.Contains(t, v[0].Reason, "while its store was a partial copy (cleared at t=0.000000s")
	}
}

func TestPartialAcceptsASyncingAnswerAndAFinishedSync(t *testing.T) {
	p := NewPartial(3)
	p.Observe(1, node.Event{Kind: node.EvMarkedClear, Rank: 1, Detail: "in-sync marker found at boot"})
	p.Observe(2, node.Event{Kind: node.EvProbeReply, Rank: 1, Peer: 2, Syncing: true})
	p.Observe(3, node.Event{Kind: node.EvSyncFinish, Rank: 1, Full: false}) // a recent sync does not make it whole
	p.Observe(4, node.Event{Kind: node.EvProbeReply, Rank: 1, Peer: 2, Syncing: true})
	p.Observe(5, node.Event{Kind: node.EvSyncFinish, Rank: 1, Full: true, Version: 40, FC: 40})
	p.Observe(6, node.Event{Kind: node.EvVote, Rank: 1, Peer: 0})
	p.Observe(7, node.Event{Kind: node.EvProbeReply, Rank: 1, Peer: 2})
	require.Empty(t, p.Violations())
}

// A full sync whose last batch landed with its fsync failed, or whose end
// was durable when power failed, reports no finish; the restart reads the
// batch back. A main store that opens with the committed state of its lc
// is whole; one that opens with any other state (what a partial copy
// holds), or says it keeps a partial copy to resume, is not.
func TestPartialTakesAStoreThatOpensWithTheCommittedState(t *testing.T) {
	for _, tc := range []struct {
		open  node.Event
		whole bool
	}{
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 40, Hash: 7}, true},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 40, Hash: 8}, false},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 41, Hash: 7}, false},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 40, Hash: 7, Copy: true}, false},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 40, Hash: 7, Partial: true}, false},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 0, Hash: 0}, false},
	} {
		p := NewPartial(3)
		p.Observe(1, node.Event{Kind: node.EvApply, Rank: 0, Version: 40, Hash: 7})
		p.Observe(2, node.Event{Kind: node.EvMarkedClear, Rank: 1, Detail: "full sync start"})
		p.Observe(3, tc.open)
		p.Observe(4, node.Event{Kind: node.EvProbeReply, Rank: 1, Peer: 2, Version: 40})
		require.Equal(t, tc.whole, len(p.Violations()) == 0, "%+v", tc.open)
	}
}
