package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLeftoversNamesWhatEachMonitorLeft(t *testing.T) {
	require.Empty(t, CheckLeftovers(1, [][]string{nil, {}, nil}))
	v := CheckLeftovers(1, [][]string{nil, {"store file LOG-0000000000000003", "sync session 5 for rank 2 idle 9.000s, past its expiry"}})
	require.Len(t, v, 1)
	require.Equal(t, NameLeftovers, v[0].Checker)
	require.Equal(t, 1, v[0].Node)
	require.Contains(t, v[0].Reason, "left behind after the heal: store file LOG-0000000000000003; sync session 5")
}
