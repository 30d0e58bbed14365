package checker

import (
	"errors"
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// A monitor whose disk took no injected fault must never stop or find its
// store broken; one whose disk did may.
func TestStoppedCatchesAStopNoDiskFaultExplains(t *testing.T) {
	s := NewStopped([]bool{false, true})
	s.Stop(1, 0, errors.New("monitor 0: store failed: malformed transaction"))
	s.Observe(2, node.Event{Kind: node.EvStoreFailed, Rank: 0, Detail: "kvstore: corrupt mon-0/store/LOG-2"})
	s.Stop(3, 1, errors.New("injected EIO"))
	s.Observe(4, node.Event{Kind: node.EvStoreFailed, Rank: 1, Detail: "injected EIO"})
	v := s.Violations()
	require.Len(t, v, 2)
	require.Equal(t, NameStopped, v[0].Checker)
	require.Contains(t, v[0].Reason, "stopped though the plan injected no disk fault into it: monitor 0: store failed: malformed transaction")
	require.Contains(t, v[1].Reason, "its store failed though the plan injected no disk fault into it")
}
