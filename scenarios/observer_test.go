package scenarios

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
)

// Once every store broke, any quorum or commit is a new, empty history: the
// unavailability check must say so, and say clearly when it held.
func TestUnavailabilityCatchesANewHistory(t *testing.T) {
	newObs := func() *observer {
		k := sim.New(sim.Config{Endpoints: 3})
		return newObserver(k, 3)
	}
	o := newObs()
	for r := range 3 {
		o.event(r, node.Event{Kind: node.EvRepairStart, Detail: "fresh: store failed to open"})
	}
	v, note := o.stayedUnavailable(0, 3)
	require.Empty(t, v)
	require.Contains(t, note, "stayed unavailable, as it must")

	o.event(1, node.Event{Kind: node.EvQuorum, Epoch: 2, Peer: 1})
	o.event(1, node.Event{Kind: node.EvCommit, Version: 1})
	v, _ = o.stayedUnavailable(0, 3)
	require.Len(t, v, 2)
	require.Equal(t, "unavailability", v[0].Checker)
	require.Contains(t, v[1].Reason, "committed version 1 after every store broke")

	o = newObs()
	o.event(0, node.Event{Kind: node.EvRepairStart, Detail: "fresh: x"})
	v, _ = o.stayedUnavailable(0, 3)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "did not break every store")
}
