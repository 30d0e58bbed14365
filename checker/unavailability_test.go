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
	require.Contains(t, v[0].Reason, "did not break 3 stores")
}

// With a majority to break (repair-scattered without page repair), the
// check starts once a majority began whole-store repairs: the others alone
// are no quorum, and must not become one.
func TestUnavailabilityFromAMajorityBroken(t *testing.T) {
	u := NewUnavailability(5)
	u.StartAt(3)
	breakAll(u, 3)
	v, note := u.Finish(10)
	require.Empty(t, v)
	require.Contains(t, note, "3 of 5 stores broke")

	u = NewUnavailability(5)
	u.StartAt(3)
	breakAll(u, 2)
	u.Observe(4, node.Event{Kind: node.EvQuorum, Rank: 4, Epoch: 6}) // two broken: the others may go on
	breakAll(u, 3)
	u.Observe(5, node.Event{Kind: node.EvQuorum, Rank: 4, Epoch: 8})
	v, _ = u.Finish(10)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "after 3 of 5 stores broke")
}
