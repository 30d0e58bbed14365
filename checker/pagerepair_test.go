package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

func pageRun(evs ...node.Event) []Violation {
	c := NewPageRepair(5)
	for i, ev := range evs {
		c.Observe(int64(i), ev)
	}
	return c.Violations()
}

// healthyPageRepair: rank 1 reopens at lc 7 with page 2 damaged, takes it
// from rank 0 at version 9 (reports from ranks 0, 2, 3), catches up, checks
// in and votes again.
func healthyPageRepair() []node.Event {
	return []node.Event{
		{Kind: node.EvCommit, Rank: 0, Version: 9}, apply(0, 9), apply(1, 7),
		{Kind: node.EvStoreOpen, Rank: 1, Version: 7, Mixed: true},
		{Kind: node.EvPageDamaged, Rank: 1, Page: 2, Version: 7},
		{Kind: node.EvPageServed, Rank: 3, Peer: 1, Page: 3, Version: 9},
		{Kind: node.EvPageSource, Rank: 1, Page: 2, Peer: 0, Version: 9, Quorum: 1<<0 | 1<<2 | 1<<3},
		{Kind: node.EvPageServed, Rank: 0, Peer: 1, Page: 2, Version: 9},
		{Kind: node.EvPageInstalled, Rank: 1, Page: 2, Peer: 0, Version: 9},
		{Kind: node.EvStoreOpen, Rank: 1, Version: 7, Mixed: true},
		{Kind: node.EvApply, Rank: 1, Version: 8, Mixed: true},
		{Kind: node.EvApply, Rank: 1, Version: 9, Mixed: true},
		{Kind: node.EvPageRepairDone, Rank: 1, Version: 9, Hash: 5},
		{Kind: node.EvVote, Rank: 1, Peer: 0},
	}
}

func TestPageRepairAcceptsAHealthyRepair(t *testing.T) {
	require.Empty(t, pageRun(healthyPageRepair()...))
}

func requirePageViolation(t *testing.T, v []Violation, want string) {
	t.Helper()
	require.Len(t, v, 1, "%v", v)
	require.Equal(t, NamePageRepair, v[0].Checker)
	require.Contains(t, v[0].Reason, want)
}

func TestPageRepairCatchesAPageAtAnUncommittedVersion(t *testing.T) {
	evs := healthyPageRepair()
	evs[8].Version = 12
	requirePageViolation(t, pageRun(evs...), "at version 12, which no monitor had committed (highest 9)")
}

func TestPageRepairCatchesAPageOlderThanTheMonitorsOwnLC(t *testing.T) {
	evs := healthyPageRepair()
	evs[8].Version = 5
	requirePageViolation(t, pageRun(evs...), "at version 5, older than its own lc 7")
}

func TestPageRepairCatchesMetadataFromAPeer(t *testing.T) {
	evs := healthyPageRepair()
	evs[8].Local = true
	requirePageViolation(t, pageRun(evs...), "its own Paxos metadata, from rank 0")
}

func TestPageRepairCatchesASourceChosenWithoutAMajority(t *testing.T) {
	evs := healthyPageRepair()
	evs[6].Quorum = 1<<0 | 1<<1 // itself and one other
	requirePageViolation(t, pageRun(evs...), "seeing reports from 1 of the others, not a majority")
}

func TestPageRepairCatchesAVoteWhileRepairingPages(t *testing.T) {
	for _, ev := range []node.Event{
		{Kind: node.EvVote, Rank: 1, Peer: 0}, {Kind: node.EvPromise, Rank: 1}, {Kind: node.EvAccept, Rank: 1},
		{Kind: node.EvQuorum, Rank: 1}, {Kind: node.EvCommit, Rank: 1}, {Kind: node.EvRead, Rank: 1},
		{Kind: node.EvClientReply, Rank: 1}, {Kind: node.EvProvide, Rank: 1}, {Kind: node.EvProbeReply, Rank: 1},
	} {
		evs := healthyPageRepair()
		evs = append(evs[:10], append([]node.Event{ev}, evs[10:]...)...) // while the catch-up runs
		requirePageViolation(t, pageRun(evs...), "a monitor repairing its pages")
	}
}

func TestPageRepairCatchesAPageServedFromABrokenStore(t *testing.T) {
	// Serving a page it holds damaged itself.
	evs := healthyPageRepair()
	evs[5] = node.Event{Kind: node.EvPageServed, Rank: 1, Peer: 3, Page: 2, Version: 7}
	requirePageViolation(t, pageRun(evs...), "while it held that page damaged")
	// Serving from a store cleared for a full sync.
	requirePageViolation(t, pageRun(
		node.Event{Kind: node.EvMarkedClear, Rank: 3},
		node.Event{Kind: node.EvPageServed, Rank: 3, Peer: 1, Page: 2}),
		"from a store being rebuilt or cleared")
	// Serving while rebuilding the whole store.
	require.Len(t, pageRun(
		rstart(3, node.RepairFresh),
		node.Event{Kind: node.EvPageServed, Rank: 3, Peer: 1, Page: 2}), 1)
	// Once the full sync finished, serving is fine again.
	require.Empty(t, pageRun(
		node.Event{Kind: node.EvMarkedClear, Rank: 3},
		node.Event{Kind: node.EvSyncFinish, Rank: 3, Full: true},
		node.Event{Kind: node.EvPageServed, Rank: 3, Peer: 1, Page: 2}))
}

// The state a page repair checks in with is the state hash checker's: a
// page redone with records it already held (the redo rule broken) ends in
// another state than the others had at that version.
func TestStateHashJudgesThePageRepairsCheckIn(t *testing.T) {
	s := NewStateHash(3)
	s.Observe(1, node.Event{Kind: node.EvApply, Rank: 0, Version: 1, Hash: 11})
	s.Observe(2, node.Event{Kind: node.EvApply, Rank: 0, Version: 2, Hash: 22})
	s.Observe(3, node.Event{Kind: node.EvStoreOpen, Rank: 1, Version: 0, Mixed: true})
	s.Observe(4, node.Event{Kind: node.EvApply, Rank: 1, Version: 1, Hash: 99, Mixed: true}) // no claim
	s.Observe(5, node.Event{Kind: node.EvApply, Rank: 1, Version: 2, Hash: 98, Mixed: true})
	require.Empty(t, s.Violations())
	s.Observe(6, node.Event{Kind: node.EvPageRepairDone, Rank: 1, Version: 2, Hash: 23})
	require.Len(t, s.Violations(), 1)
	require.Contains(t, s.Violations()[0].Reason, "page repair caught up at version 2")
}

func TestStoppedCatchesUnexplainedPageDamage(t *testing.T) {
	s := NewStopped([]DiskFaults{{Damages: true}, {}})
	s.Observe(1, node.Event{Kind: node.EvPageDamaged, Rank: 0, Page: 3})
	require.Empty(t, s.Violations(), "rank 0's disk took a fault")
	s.Observe(2, node.Event{Kind: node.EvPageDamaged, Rank: 1, Page: 3})
	s.Observe(3, node.Event{Kind: node.EvPageFallback, Rank: 1})
	require.Len(t, s.Violations(), 2)
}
