package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

const sec = 1_000_000_000

func leaseStory(readAt int64, readEpoch uint64) []Violation {
	l := NewLease(3)
	l.Observe(0, node.Event{Kind: node.EvQuorum, Rank: 0, Epoch: 2, Peer: 0})
	l.Observe(0, node.Event{Kind: node.EvQuorum, Rank: 1, Epoch: 2, Peer: 0})
	l.Observe(1*sec, node.Event{Kind: node.EvLease, Rank: 0, Epoch: 2, Until: 2 * sec})
	l.Observe(readAt, node.Event{Kind: node.EvRead, Rank: 1, Epoch: readEpoch, Peer: 7})
	return l.Violations()
}

func TestLeaseAcceptsAReadUnderALiveLease(t *testing.T) {
	require.Empty(t, leaseStory(sec+sec/2, 2))
}

func TestLeaseCatchesAReadAfterTheLeaseExpired(t *testing.T) {
	v := leaseStory(3*sec, 2)
	require.Len(t, v, 1)
	require.Equal(t, NameLease, v[0].Checker)
	require.Contains(t, v[0].Reason, "1.000s after the last lease")
}

func TestLeaseCatchesAReadOutsideTheQuorum(t *testing.T) {
	v := leaseStory(sec+sec/2, 4)
	require.Len(t, v, 1)
	require.Contains(t, v[0].Reason, "without being in that epoch's quorum")
}

func TestLeaseCatchesAReadAfterLeavingTheQuorum(t *testing.T) {
	l := NewLease(3)
	l.Observe(0, node.Event{Kind: node.EvQuorum, Rank: 1, Epoch: 2})
	l.Observe(1, node.Event{Kind: node.EvLease, Rank: 0, Epoch: 2, Until: 2 * sec})
	l.Observe(2, node.Event{Kind: node.EvState, Rank: 1, Phase: node.PhaseProbing})
	l.Observe(3, node.Event{Kind: node.EvRead, Rank: 1, Epoch: 2, Peer: 7})
	require.Len(t, l.Violations(), 1)
}

// A new leader that commits while a peon of the old quorum may still hold
// a lease is caught, however the peon was cut off; once that monitor left
// the old quorum, or the lease ran out, the commit is fine.
func TestLeaseCatchesACommitWhileAnOldLeaseMayStillRun(t *testing.T) {
	story := func(commitAt int64, leave bool) []Violation {
		l := NewLease(5)
		for r := range 5 {
			l.Observe(0, node.Event{Kind: node.EvQuorum, Rank: r, Epoch: 4, Peer: 0})
		}
		l.Observe(sec, node.Event{Kind: node.EvLease, Rank: 0, Epoch: 4, Until: 2 * sec})
		for _, r := range []int{1, 2, 3} {
			l.Observe(sec+sec/2, node.Event{Kind: node.EvQuorum, Rank: r, Epoch: 6, Peer: 1})
		}
		if leave {
			l.Observe(sec+sec/2, node.Event{Kind: node.EvState, Rank: 4, Phase: node.PhaseProbing})
		}
		l.Observe(commitAt, node.Event{Kind: node.EvCommit, Rank: 1, Epoch: 6, Version: 9})
		return l.Violations()
	}
	v := story(sec+sec/2, false)
	require.Len(t, v, 2, "ranks 0 and 4 are still in epoch 4")
	require.Equal(t, NameLease, v[0].Checker)
	require.Contains(t, v[0].Reason, "committed version 9 in epoch 6 while rank 0, still in epoch 4's quorum, may hold a lease of it until t=2.000000s")
	require.Len(t, story(sec+sec/2, true), 1, "rank 4 left the old quorum; rank 0 did not")
	require.Empty(t, story(2*sec, false), "the old lease ran out")
}
