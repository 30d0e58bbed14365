package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

func breakAll(u *Unavailability, n int) {
	for r := range n {
		u.Observe(int64(r+1), node.Event{Kind: node.EvRepairStart, Rank: r, Start: node.RepairFresh})
	}
}

func TestUnavailabilityPassesAClusterThatStaysDown(t *testing.T) {
	u := NewUnavailability(3)
	u.Observe(0, node.Event{Kind: node.EvQuorum, Rank: 0, Epoch: 2}) // before the break: fine
	breakAll(u, 3)
	u.Observe(9, node.Event{Kind: node.EvRepairStart, Rank: 1, Start: node.RepairResumed})
	v, note := u.Finish(10)
	require.Empty(t, v)
	require.Contains(t, note, "stayed unavailable")
}

func TestUnavailabilityCatchesANewHistory(t *testing.T) {
	for _, ev := range []node.Event{
		{Kind: node.EvQuorum, Rank: 1, Epoch: 8},
		{Kind: node.EvCommit, Rank: 1, Version: 1},
		{Kind: node.EvRepairSwitched, Rank: 2, Version: 0},
	} {
		u := NewUnavailability(3)
		breakAll(u, 3)
		u.Observe(5, ev)
		v, _ := u.Finish(10)
		require.Len(t, v, 1, "%v", ev.Kind)
		require.Equal(t, NameUnavailability, v[0].Checker)
		require.Contains(t, v[0].Reason, "a new history began")
	}
}

func TestUnavailabilityRefusesAPlanThatBrokeTooLittle(t *testing.T) {
	u := NewUnavailability(3)
	breakAll(u, 2)
	u.Observe(5, node.Event{Kind: node.EvCommit, Rank: 2, Version: 4}) // the intact one may go on
	v, _ := u.Finish(10)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "did not break every store")
}
