package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

func TestPromisesCatchAForgottenAccept(t *testing.T) {
	p := NewPromises(3)
	p.Observe(1, node.Event{Kind: node.EvStoreOpen, Rank: 1})
	p.Observe(2, node.Event{Kind: node.EvPromise, Rank: 1, PN: 101})
	p.Observe(3, node.Event{Kind: node.EvAccept, Rank: 1, Version: 7, PN: 101})
	// Power loss; the store comes back without the accepted value.
	p.Observe(4, node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 6, PN: 101})
	v := p.Violations()
	require.Len(t, v, 1)
	require.Equal(t, NamePromises, v[0].Checker)
	require.Contains(t, v[0].Reason, "accepted value forgotten: acked version 7 under pn 101")
}

func TestPromisesCatchAForgottenPromise(t *testing.T) {
	p := NewPromises(3)
	p.Observe(2, node.Event{Kind: node.EvPromise, Rank: 2, PN: 202})
	p.Observe(4, node.Event{Kind: node.EvStoreOpen, Rank: 2, PN: 102})
	require.Len(t, p.Violations(), 1)
	require.Contains(t, p.Violations()[0].Reason, "promise forgotten")
}

func TestPromisesKeptAcrossRestartsPass(t *testing.T) {
	p := NewPromises(3)
	p.Observe(2, node.Event{Kind: node.EvAccept, Rank: 0, Version: 7, PN: 101})
	p.Observe(3, node.Event{Kind: node.EvStoreOpen, Rank: 0, Version: 6, PN: 101, Pending: 7, PendingPN: 101})
	p.Observe(4, node.Event{Kind: node.EvAccept, Rank: 0, Version: 8, PN: 201})
	p.Observe(5, node.Event{Kind: node.EvApply, Rank: 0, Version: 8})
	p.Observe(6, node.Event{Kind: node.EvStoreOpen, Rank: 0, Version: 8, PN: 201})
	p.Observe(7, node.Event{Kind: node.EvAccept, Rank: 0, Version: 9, PN: 201})
	p.Observe(8, node.Event{Kind: node.EvMarkedClear, Rank: 0})
	p.Observe(9, node.Event{Kind: node.EvStoreOpen, Rank: 0, PN: 201})
	require.Empty(t, p.Violations())
}
