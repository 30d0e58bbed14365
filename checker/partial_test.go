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
		p := NewPartial(3, nil)
		p.Observe(1, clear)
		p.Observe(2, ev)
		v := p.Violations()
		require.Len(t, v, 1, "%v", ev.Kind)
		require.Equal(t, NamePartial, v[0].Checker)
		require.Contains(t, v[0].Reason, "while its store was a partial copy (cleared at t=0.000000s")
	}
}

func TestPartialAcceptsASyncingAnswerAndAFinishedSync(t *testing.T) {
	p := NewPartial(3, nil)
	p.Observe(1, node.Event{Kind: node.EvMarkedClear, Rank: 1, Detail: "in-sync marker found at boot"})
	p.Observe(2, node.Event{Kind: node.EvProbeReply, Rank: 1, Peer: 2, Syncing: true})
	p.Observe(3, node.Event{Kind: node.EvSyncFinish, Rank: 1, Full: false}) // a recent sync does not make it whole
	p.Observe(4, node.Event{Kind: node.EvProbeReply, Rank: 1, Peer: 2, Syncing: true})
	p.Observe(5, node.Event{Kind: node.EvSyncFinish, Rank: 1, Full: true, Version: 40, FC: 40})
	p.Observe(6, node.Event{Kind: node.EvVote, Rank: 1, Peer: 0})
	p.Observe(7, node.Event{Kind: node.EvProbeReply, Rank: 1, Peer: 2})
	require.Empty(t, p.Violations())
}

// Power can fail after a full sync's end is durable and before it is
// reported: a store that then opens whole, with its version's own state,
// is no longer partial. One that opens with another state, or at 0 (a
// cleared store that forgot it was partial), still is.
func TestPartialEndsWithAStoreThatOpensWhole(t *testing.T) {
	ref := func(v uint64) (uint64, bool) { return stateAfter(v), true }
	for _, tc := range []struct {
		open    node.Event
		partial bool
	}{
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 40, Hash: stateAfter(40)}, false},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 40, Hash: 7}, true},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 0, Hash: 0}, true},
		{node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 40, Hash: stateAfter(40), Partial: true}, true},
	} {
		p := NewPartial(3, ref)
		p.Observe(1, node.Event{Kind: node.EvMarkedClear, Rank: 1, Detail: "full sync start"})
		p.Observe(2, tc.open)
		p.Observe(3, node.Event{Kind: node.EvVote, Rank: 1, Peer: 0})
		require.Equal(t, tc.partial, len(p.Violations()) == 1, "%+v", tc.open)
	}
}
