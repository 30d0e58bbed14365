package checker

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/node"
)

func TestSuiteAcceptsAHealthyRun(t *testing.T) {
	c := NewSuite(3, nil, 0)
	s := healthyStory()
	s.feed(c)
	c.AckedWrite(s.at, 4, 1, 16)
	require.Empty(t, c.Finish(s.at+1))
	require.Empty(t, c.Violations())
	require.Zero(t, c.Dropped())
}

func TestSuiteKeepsViolationsInDetectionOrder(t *testing.T) {
	c := NewSuite(3, nil, 0)
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	s.commitRound(1, 2, 0, 1, 2)
	s.add(evApply(2, 3))                                                     // sync: a skipped version
	s.add(evOpen(1, 0))                                                      // ledger: durable lc went back
	s.add(evSyncFinish(1, 0, true, 1, 1))                                    // fine: the state at 1 is known and equal
	s.add(node.Event{Kind: node.EvStoreOpen, Rank: 0, Version: 1, Hash: 99}) // state-hash
	s.feed(c)
	c.AckedWrite(s.at, 5, 2, 7) // ledger: acked beyond anything applied
	end := c.Finish(s.at + 1)   // ledger: nobody holds 7

	var order []Name
	for _, v := range c.Violations() {
		order = append(order, v.Checker)
	}
	require.Equal(t, []Name{NameSync, NameLedger, NameStateHash, NameLedger, NameLedger}, order)
	require.Len(t, end, 1)
	require.Equal(t, c.Violations()[4], end[0])
}

func TestSuiteObserveDoesNotAllocateOnTheCommonPath(t *testing.T) {
	c := NewSuite(3, nil, 0)
	s := (&story{}).add(evOpen(0, 0), evOpen(1, 0), evOpen(2, 0))
	s.feed(c)
	v := uint64(0)
	allocs := testing.AllocsPerRun(2000, func() {
		v++
		c.Observe(int64(v), evApply(0, v))
		c.Observe(int64(v), evCommit(0, v, 2))
		c.Observe(int64(v), evApply(1, v))
		c.Observe(int64(v), node.Event{Kind: node.EvLease, Rank: 0, Until: int64(v)})
	})
	require.Zero(t, allocs, "amortised growth of the version tables aside, Observe allocates nothing")
	require.Empty(t, c.Violations())
}

func BenchmarkSuiteObserve(b *testing.B) {
	// A five-monitor cluster: per version the leader applies and commits,
	// four peons apply, and a few lease and state events go by.
	c := NewSuite(5, nil, 0)
	for r := range 5 {
		c.Observe(0, evOpen(r, 0))
	}
	var evs []node.Event
	for v := uint64(1); v <= 10_000; v++ {
		evs = append(evs, evApply(0, v), evCommit(0, v, 2))
		for r := 1; r < 5; r++ {
			evs = append(evs, evApply(r, v))
		}
		evs = append(evs, node.Event{Kind: node.EvLease, Rank: 0}, node.Event{Kind: node.EvProbeReply, Rank: 3})
	}
	i := 0
	for b.Loop() {
		if i == len(evs) {
			b.StopTimer()
			c = NewSuite(5, nil, 0)
			for r := range 5 {
				c.Observe(0, evOpen(r, 0))
			}
			i = 0
			b.StartTimer()
		}
		c.Observe(int64(i), evs[i])
		i++
	}
	if len(c.Violations()) != 0 {
		b.Fatal(c.Violations()[0])
	}
}
