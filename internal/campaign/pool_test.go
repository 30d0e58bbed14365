package campaign

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
)

func TestMapReturnsResultsInIndexOrderOnAnyNumberOfWorkers(t *testing.T) {
	for _, w := range []int{0, 1, 2, 7} {
		out, done := Map(context.Background(), Pool{Workers: w}, 50, func(i int) int { return i * i })
		for i := range 50 {
			require.Equal(t, i*i, out[i])
			require.True(t, done[i])
		}
	}
	out, done := Map(context.Background(), Pool{Workers: 3}, 0, func(int) int { return 1 })
	require.Empty(t, out)
	require.Empty(t, done)
}

func TestMapStopsStartingWorkOnceCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	_, done := Map(ctx, Pool{Workers: 2}, 1000, func(i int) int {
		if ran.Add(1) == 10 {
			cancel()
		}
		return i
	})
	require.Less(t, int(ran.Load()), 1000)
	require.False(t, done[999])
}

func TestStreamDeliversEveryResultOnTheCallersGoroutine(t *testing.T) {
	seen := map[int]bool{}
	Stream(context.Background(), Pool{Workers: 4}, func(i int) (func() int, bool) {
		return func() int { return i }, i < 100
	}, func(r int) { seen[r] = true }) // no lock: done runs on this goroutine
	require.Len(t, seen, 100)
}

func TestSplitAndWithoutCoverTheFaultsOnce(t *testing.T) {
	faults := make([]sim.Fault, 7)
	for i := range faults {
		faults[i].At = int64(i)
	}
	chunks := split(faults, 3)
	require.Len(t, chunks, 3)
	var all []sim.Fault
	for i := range chunks {
		all = append(all, chunks[i]...)
		require.Len(t, without(chunks, i), 7-len(chunks[i]))
	}
	require.Equal(t, faults, all)
}
