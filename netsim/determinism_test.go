package netsim

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// run sends a fixed mix of traffic through a faulty five-node network, with
// a partition, a block and a clog along the way, and returns everything that
// happened.
func run(seed uint64) ([]Delivery, []Drop) {
	n := newNet(5, seed, faulty)
	var out []Delivery
	var drops []Drop
	for i := range 5000 {
		now := int64(i) * 100_000
		switch i {
		case 1000:
			n.Partition([]int{0, 1})
		case 2000:
			n.Block(2, 3)
			n.Clog(3, 4, now+5_000_000)
		case 3000:
			n.Heal()
		}
		var drop Drop
		out, drop = n.Send(now, i%5, (i*3+1)%5, numbered(i), out)
		drops = append(drops, drop)
	}
	return out, drops
}

func TestSameSeedGivesIdenticalDeliveries(t *testing.T) {
	a, aDrops := run(42)
	b, bDrops := run(42)
	require.Equal(t, a, b)
	require.Equal(t, aDrops, bDrops)
}

func TestDifferentSeedsGiveDifferentDeliveries(t *testing.T) {
	a, aDrops := run(42)
	b, bDrops := run(43)
	require.NotEqual(t, a, b)
	require.NotEqual(t, aDrops, bDrops)
}

// The run above really exercises every fault, so the determinism tests are
// not comparing two trivially perfect runs.
func TestDeterminismRunExercisesEveryFault(t *testing.T) {
	out, drops := run(42)
	count := map[Drop]int{}
	for _, d := range drops {
		count[d]++
	}
	require.Positive(t, count[Lost])
	require.Positive(t, count[Partitioned])
	var dup, corrupted int
	for _, d := range out {
		if d.Dup {
			dup++
		}
		if d.Corrupted {
			corrupted++
		}
	}
	require.Positive(t, dup)
	require.Positive(t, corrupted)
}
