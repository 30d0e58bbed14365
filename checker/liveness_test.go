package checker

import (
	"github.com/monsim/monsim/node"
	"testing"

	"github.com/stretchr/testify/require"
)

func healthyStates() []MonitorState {
	return []MonitorState{
		{Rank: 2, Up: true, Phase: node.PhasePeon, LC: 40, Quorum: 0b111, Epoch: 6},
		{Rank: 0, Up: true, Phase: node.PhaseLeader, LC: 40, Quorum: 0b111, Epoch: 6},
		{Rank: 1, Up: true, Phase: node.PhasePeon, LC: 40, Quorum: 0b111, Epoch: 6},
	}
}

func TestLivenessAcceptsAConvergedCluster(t *testing.T) {
	require.Empty(t, CheckLiveness(5e9, healthyStates(), 0, ""))
}

func TestLivenessCatchesAClusterThatDidNotConverge(t *testing.T) {
	cases := []struct {
		name       string
		edit       func(s []MonitorState) // s is sorted by rank
		unfinished int
		node       int
		reason     string
	}{
		{name: "a monitor is down", edit: func(s []MonitorState) { s[1].Up = false }, node: 1, reason: "monitor 1 is down"},
		{name: "a monitor is still probing", edit: func(s []MonitorState) { s[2].Phase, s[2].Quorum = node.PhaseProbing, 0 },
			node: 2, reason: "monitor 2 is probing, not in a quorum (epoch 6, lc 40)"},
		{name: "a monitor lags", edit: func(s []MonitorState) { s[2].LC = 38 }, node: 2, reason: "monitor 2 has lc 38, behind the cluster's 40"},
		{name: "client operations never finished", unfinished: 3, node: -1, reason: "3 client operations never finished"},
		{name: "two leaders", edit: func(s []MonitorState) { s[1].Phase = node.PhaseLeader }, node: -1, reason: "2 leaders [0 1], want exactly one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := healthyStates()
			sorted := []MonitorState{s[1], s[2], s[0]}
			if tc.edit != nil {
				tc.edit(sorted)
			}
			v := CheckLiveness(5e9, sorted, tc.unfinished, "after 30s of healing")
			require.Len(t, v, 1, "%v", v)
			require.Equal(t, NameLiveness, v[0].Checker)
			require.Equal(t, tc.node, v[0].Node)
			require.Equal(t, int64(5e9), v[0].At)
			require.Equal(t, tc.reason+" (after 30s of healing)", v[0].Reason)
		})
	}
}

func TestLivenessCatchesSplitQuorums(t *testing.T) {
	s := healthyStates()
	s[0].Quorum, s[1].Quorum = 0b101, 0b101 // ranks 2 and 0 without 1
	s[2].Quorum, s[2].Epoch = 0b010, 8
	v := CheckLiveness(0, s, 0, "")
	var reasons []string
	for _, x := range v {
		reasons = append(reasons, x.Reason)
	}
	require.Contains(t, reasons, "monitor 0's quorum is {0,2}, not every monitor {0,1,2}")
	require.Contains(t, reasons, "monitor 1 is in quorum {1} epoch 8, but monitor 0 is in quorum {0,2} epoch 6")
}
