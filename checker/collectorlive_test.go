package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

func TestCollectorLivenessWantsEveryCollectorUpRecordedAndCaughtUp(t *testing.T) {
	l := NewCollectorLog()
	evs := []node.CollectorEvent{{Collector: 6, Change: node.CollectorBoot, Inc: 1, Nonce: 11},
		{Collector: 7, Change: node.CollectorBoot, Inc: 1, Nonce: 21}, {Collector: 7, Change: node.CollectorStop, Inc: 1},
		{Collector: 6, Change: node.CollectorStatus, Inc: 1}}
	for i, ev := range evs {
		ev.Seq = uint64(i + 1)
		l.Observe(int64(i+1)*1e9, node.Event{Kind: node.EvRecorded, Hash: tableAfter(ev.Seq), Record: ev})
	}
	finals := []CollectorFinal{
		{ID: 6, Up: true, Registered: true, Nonce: 11, Confirmed: 4},
		{ID: 7, Up: true, Registered: false, Nonce: 22, Confirmed: 4}, // back, but its boot never recorded
		{ID: 8, Up: false},
		{ID: 9, Up: true, Registered: true, Nonce: 31, Confirmed: 1},
	}
	v := CheckCollectorLiveness(l, 10e9, 5e9, finals, "after the heal")
	require.Len(t, v, 4)
	for _, x := range v {
		require.Equal(t, NameLiveness, x.Checker)
	}
	require.Contains(t, v[0].Reason, "collector 7's current session is not recorded up: its return was never recorded (after the heal)")
	require.Contains(t, v[1].Reason, "collector 8 is down")
	require.Contains(t, v[2].Reason, "collector 9's current session is not recorded up")
	require.Contains(t, v[3].Reason, "collector 9's log ends at event 1, but event 4 was committed 6.000000s before")
	require.Empty(t, CheckCollectorLiveness(l, 10e9, 5e9, finals[:1], ""))
}
