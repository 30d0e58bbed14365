package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

func repairRun(evs ...node.Event) []Violation {
	c := NewRepair(3)
	for i, ev := range evs {
		c.Observe(int64(i), ev)
	}
	return c.Violations()
}

var (
	apply  = func(rank int, v uint64) node.Event { return node.Event{Kind: node.EvApply, Rank: rank, Version: v} }
	rstart = func(rank int, how node.RepairStart) node.Event {
		return node.Event{Kind: node.EvRepairStart, Rank: rank, Start: how}
	}
)

func healthyRepair() []node.Event {
	return []node.Event{
		apply(0, 10), apply(2, 10), apply(1, 7),
		rstart(1, node.RepairFresh),
		{Kind: node.EvRepairSource, Rank: 1, Peer: 0, Version: 10},
		{Kind: node.EvRepairCompleted, Rank: 1, Version: 10, Hash: 5},
		{Kind: node.EvRepairSwitched, Rank: 1, Version: 10, Hash: 5},
		{Kind: node.EvVote, Rank: 1, Peer: 0},
	}
}

func TestRepairAcceptsAHealthyRepair(t *testing.T) {
	require.Empty(t, repairRun(healthyRepair()...))
}

func TestRepairCatchesAStaleSource(t *testing.T) {
	evs := healthyRepair()
	evs[4] = node.Event{Kind: node.EvRepairSource, Rank: 1, Peer: 2, Version: 9}
	v := repairRun(evs...)
	require.Len(t, v, 1)
	require.Equal(t, NameRepair, v[0].Checker)
	require.Contains(t, v[0].Reason, "sync source rank 2 at lc 9 is newer than only 0 of the 2 other monitors")
}

func TestRepairCatchesAMarkThatVouchedForMissingData(t *testing.T) {
	evs := healthyRepair()
	evs[6] = node.Event{Kind: node.EvRepairSwitched, Rank: 1, Version: 9, Hash: 4}
	v := repairRun(evs...)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "completed mark vouched for lc 10")
}

func TestRepairCatchesAVoteWhileRepairing(t *testing.T) {
	evs := healthyRepair()
	evs = append(evs[:5], append([]node.Event{{Kind: node.EvProbeReply, Rank: 1, Peer: 2}}, evs[5:]...)...)
	v := repairRun(evs...)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "a repairing monitor answered a probe from rank 2")
}

func TestRepairCatchesASwitchThatCameUndone(t *testing.T) {
	evs := append(healthyRepair(), rstart(1, node.RepairResumedUnmarked))
	v := repairRun(evs...)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "the switch was not durable")
}

func TestRepairAcceptsAMarkOneStepAheadOfItsReport(t *testing.T) {
	// Power failed after the started mark was durable, before it was
	// reported; then after the completed mark, before that was reported.
	require.Empty(t, repairRun(
		rstart(1, node.RepairResumed),
		node.Event{Kind: node.EvRepairStart, Rank: 1, Start: node.RepairResumedCompleted, Version: 4, Hash: 9},
		node.Event{Kind: node.EvRepairSwitched, Rank: 1, Version: 4, Hash: 9},
	))
}

func TestRepairCatchesAMarkGoingBack(t *testing.T) {
	evs := healthyRepair()[:6] // completed
	evs = append(evs, rstart(1, node.RepairResumed))
	v := repairRun(evs...)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "mark lifecycle")
}

func TestRepairCatchesAMissingStoreAfterACrash(t *testing.T) {
	c := NewRepair(3)
	c.Observe(0, rstart(1, node.RepairFresh))
	c.Boot(1, 1, false)
	require.Len(t, c.Violations(), 1)
	require.Contains(t, c.Violations()[0].Reason, "switch atomicity")
	c2 := NewRepair(3)
	for i, ev := range healthyRepair()[:6] {
		c2.Observe(int64(i), ev)
	}
	c2.Boot(9, 1, false) // completed: the copy is the complete store now
	require.Empty(t, c2.Violations())
}

// Damage done on purpose explains what a repair then does: a wiped main
// store is missing at every boot until a repair switches; a rotten copy is
// thrown away once. Without it, both are protocol failures.
func TestRepairAcceptsWhatInjectedDamageExplains(t *testing.T) {
	c := NewRepair(3)
	c.MainStoreGone(2)
	c.Boot(1, 2, false)
	c.Observe(2, rstart(2, node.RepairFresh))
	c.Boot(3, 2, false) // cut mid-repair: still gone
	c.Observe(4, rstart(1, node.RepairFresh))
	c.CopyDamaged(1)
	c.Observe(5, rstart(1, node.RepairStartedOver))
	require.Empty(t, c.Violations())

	c.Observe(6, rstart(1, node.RepairStartedOver))
	c.Observe(7, node.Event{Kind: node.EvRepairSwitched, Rank: 2})
	c.Boot(8, 2, false)
	require.Len(t, c.Violations(), 3, "a second start-over, then a switch that came undone (with no mark completed, twice)")
}
