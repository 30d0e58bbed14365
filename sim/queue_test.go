package sim

import (
	"testing"

	"github.com/monsim/monsim/internal/rng"
	"github.com/stretchr/testify/require"
)

func TestQueuePopsInTimeThenSequenceOrder(t *testing.T) {
	var q queue
	r := rng.New(1, "queue")
	for i := range 2000 {
		q.push(event{at: r.Range(0, 50), seq: uint64(i)})
	}
	prev := event{at: -1}
	for q.len() > 0 {
		e := q.pop()
		require.True(t, prev.before(&e), "popped %v after %v", e, prev)
		prev = e
	}
}

// Pushes and pops interleaved, as the kernel does them, pop what a sorted
// list of the pending events would give.
func TestQueueInterleavedMatchesSortedOrder(t *testing.T) {
	var q queue
	var pending []event
	r := rng.New(2, "queue")
	for i := range 5000 {
		if q.len() > 0 && r.Chance(0.45) {
			got := q.pop()
			j := 0
			for k := range pending {
				if pending[k].before(&pending[j]) {
					j = k
				}
			}
			require.Equal(t, pending[j], got, "pop %d", i)
			pending = append(pending[:j], pending[j+1:]...)
			continue
		}
		e := event{at: r.Range(0, 200), seq: uint64(i)}
		q.push(e)
		pending = append(pending, e)
	}
	require.Equal(t, len(pending), q.len())
}

func TestTimerIDsAreNotReusedAcrossGenerations(t *testing.T) {
	var tt timerTable
	a := tt.add(1)
	tag, ok := tt.take(a)
	require.True(t, ok)
	require.Equal(t, uint64(1), tag)
	b := tt.add(2) // reuses the slot
	_, ok = tt.take(a)
	require.False(t, ok, "a stale id must not take the slot's new timer")
	tag, ok = tt.take(b)
	require.True(t, ok)
	require.Equal(t, uint64(2), tag)
}

func TestClearCancelsEveryPendingTimer(t *testing.T) {
	var tt timerTable
	ids := []TimerID{tt.add(1), tt.add(2), tt.add(3)}
	tt.clear()
	for _, id := range ids {
		_, ok := tt.take(id)
		require.False(t, ok)
	}
}

// BenchmarkQueue measures one pop+push with 1k pending events, the kernel's
// steady state.
func BenchmarkQueue(b *testing.B) {
	var q queue
	r := rng.New(1, "bench")
	for i := range 1000 {
		q.push(event{at: r.Range(0, 1_000_000), seq: uint64(i)})
	}
	seq := uint64(1000)
	for b.Loop() {
		e := q.pop()
		seq++
		e.at += r.Range(1, 1_000_000)
		e.seq = seq
		q.push(e)
	}
}
