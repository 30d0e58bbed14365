package netsim

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireLinks checks Connected, Deliverable and Send on every directed link
// against want, which lists the links that must be cut.
func requireLinks(t *testing.T, n *Network, cut map[[2]int]bool) {
	t.Helper()
	for from := range n.Nodes() {
		for to := range n.Nodes() {
			want := !cut[[2]int{from, to}]
			require.Equal(t, want, n.Connected(from, to), "Connected(%d, %d)", from, to)
			require.Equal(t, want, n.Deliverable(0, from, to), "Deliverable(%d, %d)", from, to)
			out, drop := n.Send(0, from, to, numbered(1), nil)
			if want {
				require.Equal(t, None, drop, "Send %d->%d", from, to)
				require.Len(t, out, 1)
			} else {
				require.Equal(t, Partitioned, drop, "Send %d->%d", from, to)
				require.Empty(t, out)
			}
		}
	}
}

// between lists every directed link between the two sets, both ways.
func between(a, b []int) map[[2]int]bool {
	cut := make(map[[2]int]bool)
	for _, x := range a {
		for _, y := range b {
			cut[[2]int{x, y}] = true
			cut[[2]int{y, x}] = true
		}
	}
	return cut
}

func TestPartitionIsSymmetricAndGroupsUnlistedNodes(t *testing.T) {
	n := newNet(5, 1, LinkOptions{})
	n.Partition([]int{0, 1}, []int{2})
	// 3 and 4 are unlisted, so they form the third group together.
	cut := between([]int{0, 1}, []int{2, 3, 4})
	for k := range between([]int{2}, []int{3, 4}) {
		cut[k] = true
	}
	requireLinks(t, n, cut)
}

func TestPartitionReplacesThePreviousOne(t *testing.T) {
	n := newNet(3, 1, LinkOptions{})
	n.Partition([]int{0})
	n.Partition([]int{2})
	requireLinks(t, n, between([]int{2}, []int{0, 1}))
	n.Partition()
	requireLinks(t, n, nil)
}

func TestBlockIsOneWay(t *testing.T) {
	n := newNet(3, 1, LinkOptions{})
	n.Block(0, 1)
	requireLinks(t, n, map[[2]int]bool{{0, 1}: true})
	n.Unblock(0, 1)
	requireLinks(t, n, nil)
}

func TestUnblockLeavesAPartitionInPlace(t *testing.T) {
	n := newNet(2, 1, LinkOptions{})
	n.Partition([]int{0})
	n.Block(0, 1)
	n.Unblock(0, 1)
	requireLinks(t, n, between([]int{0}, []int{1}))
}

func TestPartitionDuringFlightDropsOnArrival(t *testing.T) {
	n := newNet(3, 1, LinkOptions{LatencyMin: 1000, LatencyMax: 1000})
	out, drop := n.Send(0, 0, 1, numbered(1), nil)
	require.Equal(t, None, drop)
	arrive := out[0].At

	n.Partition([]int{0}, []int{1, 2})
	require.False(t, n.Deliverable(arrive, 0, 1), "cut in flight: dropped on arrival")
	require.False(t, n.Deliverable(arrive, 1, 0))
	require.True(t, n.Deliverable(arrive, 1, 2))

	n.Heal()
	n.Block(0, 1)
	require.False(t, n.Deliverable(arrive, 0, 1), "a one-way block in flight drops too")
	require.True(t, n.Deliverable(arrive, 1, 0), "but not the other way")
}

func TestClogHoldsThenReleasesInLatencyOrder(t *testing.T) {
	const until, lo, hi = 1_000_000, 100, 5000
	n := newNet(2, 1, LinkOptions{LatencyMin: lo, LatencyMax: hi})
	n.Clog(0, 1, until)

	type held struct {
		sent int64
		d    Delivery
	}
	var got []held
	for i := range 200 {
		now := int64(i) * 1000 // all before until
		out, drop := n.Send(now, 0, 1, numbered(i), nil)
		require.Equal(t, None, drop)
		got = append(got, held{now, out[0]})
	}
	for _, h := range got {
		require.GreaterOrEqual(t, h.d.At, int64(until+lo), "held until release plus latency")
		require.LessOrEqual(t, h.d.At, int64(until+hi))
	}
	require.EqualValues(t, 200, n.Stats().Clogged)

	// The reverse link and other links are not held.
	out, _ := n.Send(0, 1, 0, numbered(0), nil)
	require.Less(t, out[0].At, int64(until))

	// After release, messages travel normally.
	out, _ = n.Send(until, 0, 1, numbered(0), nil)
	require.LessOrEqual(t, out[0].At, int64(until+hi))
	out, _ = n.Send(until+10, 0, 1, numbered(0), nil)
	require.GreaterOrEqual(t, out[0].At, int64(until+10+lo))
	require.EqualValues(t, 200, n.Stats().Clogged, "released link holds nothing")
}

func TestClogWithConstantLatencyReleasesInSendOrder(t *testing.T) {
	const until = 50_000
	n := newNet(2, 1, LinkOptions{LatencyMin: 700, LatencyMax: 700})
	n.Clog(0, 1, until)
	var out []Delivery
	for i := range 20 {
		out, _ = n.Send(int64(i)*10, 0, 1, numbered(i), out)
	}
	for _, d := range out {
		require.Equal(t, int64(until+700), d.At)
	}
	// The kernel breaks equal times by scheduling order: FIFO.
	slices.SortStableFunc(out, func(a, b Delivery) int { return int(a.At - b.At) })
	for i, d := range out {
		require.Equal(t, i, numberOf(d.Msg))
	}
}

func TestClogIsNotACut(t *testing.T) {
	n := newNet(2, 1, LinkOptions{})
	n.Clog(0, 1, 1000)
	require.True(t, n.Connected(0, 1))
	require.True(t, n.Deliverable(0, 0, 1))
	n.Unclog(0, 1)
	out, _ := n.Send(5, 0, 1, numbered(0), nil)
	require.Equal(t, int64(5), out[0].At)
}

func TestHealClearsPartitionsBlocksAndClogs(t *testing.T) {
	o := LinkOptions{LatencyMin: 10, LatencyMax: 10, Dup: 0.5}
	n := newNet(4, 1, o)
	n.Partition([]int{0, 1})
	n.Block(2, 3)
	n.Clog(3, 2, 1_000_000)
	n.Heal()
	for from := range 4 {
		for to := range 4 {
			require.True(t, n.Connected(from, to))
			out, drop := n.Send(0, from, to, numbered(0), nil)
			require.Equal(t, None, drop)
			require.LessOrEqual(t, out[0].At, int64(10), "no clog left")
			require.Equal(t, o, n.Options(from, to), "Heal keeps link options")
		}
	}
}
