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
