package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// periods feeds the committed events to a fresh OfflinePeriods.
func periods(evs ...node.CollectorEvent) *OfflinePeriods {
	l := NewCollectorLog()
	o := NewOfflinePeriods(l)
	for i, ev := range evs {
		ev.Seq = uint64(i + 1)
		e := node.Event{Kind: node.EvRecorded, Hash: tableAfter(ev.Seq), Record: ev}
		l.Observe(int64(i), e)
		o.Observe(int64(i), e)
	}
	return o
}

func boot(c int, inc uint64) node.CollectorEvent {
	return node.CollectorEvent{Collector: c, Change: node.CollectorBoot, Inc: inc}
}

func stop(c int, inc uint64) node.CollectorEvent {
	return node.CollectorEvent{Collector: c, Change: node.CollectorStop, Inc: inc}
}

func TestOfflinePeriodsAcceptBootStopBootAndARestartBeforeTheTimeout(t *testing.T) {
	o := periods(boot(6, 1), node.CollectorEvent{Collector: 6, Change: node.CollectorStatus, Inc: 1, Status: 2},
		stop(6, 1), boot(6, 2), boot(7, 1), stop(6, 2), boot(6, 3)) // the last two in one proposal: restarted unnoticed
	require.Empty(t, o.Violations())
}

func TestOfflinePeriodsCatchASecondStopForOneOfflinePeriod(t *testing.T) {
	o := periods(boot(6, 1), stop(6, 1), boot(7, 1), stop(6, 1))
	require.Len(t, o.Violations(), 1)
	require.Equal(t, NameOfflinePeriods, o.Violations()[0].Checker)
	require.Contains(t, o.Violations()[0].Reason, "collector 6 marked down again at event 4: one offline period, two stop events (the first at event 2)")
}

func TestOfflinePeriodsCatchASecondBootWithoutAStop(t *testing.T) {
	o := periods(boot(6, 1), boot(6, 2))
	require.Contains(t, o.Violations()[0].Reason, "collector 6 booted again at event 2, still up since event 1 with no stop between")
}

func TestOfflinePeriodsCatchAStatusWhileDownAndASkippedIncarnation(t *testing.T) {
	o := periods(boot(6, 1), stop(6, 1), node.CollectorEvent{Collector: 6, Change: node.CollectorStatus, Inc: 1}, boot(6, 3))
	require.Len(t, o.Violations(), 2)
	require.Contains(t, o.Violations()[0].Reason, "collector 6's status recorded at event 3 while it was down")
	require.Contains(t, o.Violations()[1].Reason, "collector 6's boot at event 4 is incarnation 3, after incarnation 1")
}
