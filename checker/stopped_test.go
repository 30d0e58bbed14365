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
	s := NewStopped([]DiskFaults{{}, {Fails: true}})
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

// An I/O error may stop a monitor, but never break its store: a monitor
// whose disk only failed to answer and that then starts a repair, or finds
// damaged pages, took an error for damage. Damage explains both.
func TestStoppedCatchesARepairAnIOErrorStarted(t *testing.T) {
	s := NewStopped([]DiskFaults{{Fails: true}, {Fails: true, Damages: true}, {Fails: true}})
	s.Observe(1, node.Event{Kind: node.EvStoreFailed, Rank: 0, Detail: "store directory missing"})
	s.Observe(1, node.Event{Kind: node.EvRepairStart, Rank: 0, Start: node.RepairFresh, Detail: "store failed to open: store directory missing"})
	s.Observe(2, node.Event{Kind: node.EvRepairStart, Rank: 1, Start: node.RepairFresh, Detail: "store failed to open: corrupt"})
	s.Observe(3, node.Event{Kind: node.EvRepairStart, Rank: 0, Start: node.RepairResumed})
	s.Observe(4, node.Event{Kind: node.EvPageDamaged, Rank: 2, Page: 3})
	v := s.Violations()
	require.Len(t, v, 2)
	require.Equal(t, 0, v[0].Node)
	require.Contains(t, v[0].Reason, "it began a whole-store repair though the plan never damaged its disk (it only failed I/O, which breaks no store): store failed to open: store directory missing")
	require.Equal(t, 2, v[1].Node)
	require.Contains(t, v[1].Reason, "page 3 damaged though the plan never damaged its disk")
}
