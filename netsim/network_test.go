package netsim

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestZeroOptionsArePerfectNetwork(t *testing.T) {
	n := newNet(3, 1, LinkOptions{})
	var out []Delivery
	for i := range draws {
		msg := numbered(i)
		now := int64(i) * 7
		var drop Drop
		out, drop = n.Send(now, i%3, (i+1)%3, msg, out[:0])
		require.Equal(t, None, drop)
		require.Equal(t, []Delivery{{At: now, Msg: msg}}, out)
		require.Same(t, &msg[0], &out[0].Msg[0], "an intact message is not copied")
	}
	require.Equal(t, Stats{Sent: draws}, n.Stats())
}

func TestLossDropsAboutTheConfiguredShare(t *testing.T) {
	n := newNet(2, 2, LinkOptions{Loss: 0.1})
	lost := 0
	for i := range draws {
		out, drop := n.Send(0, 0, 1, numbered(i), nil)
		if drop == Lost {
			lost++
			require.Empty(t, out, "a lost message delivers nothing")
		} else {
			require.Equal(t, None, drop)
			require.Len(t, out, 1)
		}
	}
	requireRate(t, "lost", lost, draws, 0.1)
	require.EqualValues(t, lost, n.Stats().Lost)
}

func TestDupAddsASecondCopyWithItsOwnLatency(t *testing.T) {
	n := newNet(2, 3, LinkOptions{LatencyMin: 0, LatencyMax: 1_000_000, Dup: 0.2})
	dups, apart := 0, 0
	for i := range draws {
		msg := numbered(i)
		out, drop := n.Send(100, 0, 1, msg, nil)
		require.Equal(t, None, drop)
		require.False(t, out[0].Dup, "the first copy is the original")
		if len(out) == 2 {
			dups++
			require.True(t, out[1].Dup)
			require.Equal(t, msg, out[1].Msg)
			if out[0].At != out[1].At {
				apart++
			}
		} else {
			require.Len(t, out, 1)
		}
	}
	requireRate(t, "duplicated", dups, draws, 0.2)
	require.Greater(t, apart, dups*9/10, "copies draw their latencies independently")
	require.EqualValues(t, dups, n.Stats().Duplicated)
}

func TestCorruptionFlipsOneToThreeBitsOfAPrivateCopy(t *testing.T) {
	n := newNet(2, 4, LinkOptions{Corrupt: 0.1})
	corrupted := 0
	var flips [4]int
	for i := range draws {
		msg := []byte{byte(i), byte(i >> 8), 0xA5} // short: repeats would be likely if allowed
		orig := slices.Clone(msg)
		out, _ := n.Send(0, 0, 1, msg, nil)
		require.Len(t, out, 1)
		require.Equal(t, orig, msg, "the sender's buffer is never written")
		d := out[0]
		if !d.Corrupted {
			require.Same(t, &msg[0], &d.Msg[0])
			continue
		}
		corrupted++
		require.NotSame(t, &msg[0], &d.Msg[0], "a corrupted message is a private copy")
		require.Len(t, d.Msg, len(msg))
		k := bitsDiffer(msg, d.Msg)
		require.True(t, k >= 1 && k <= 3, "flipped %d bits", k)
		flips[k]++
	}
	requireRate(t, "corrupted", corrupted, draws, 0.1)
	for k := 1; k <= 3; k++ {
		requireRate(t, "corrupted copies with this many flipped bits", flips[k], corrupted, 1.0/3)
	}
	require.EqualValues(t, corrupted, n.Stats().Corrupted)
}

func TestEmptyMessageIsNeverCorrupted(t *testing.T) {
	n := newNet(2, 5, LinkOptions{Corrupt: 1})
	out, drop := n.Send(0, 0, 1, []byte{}, nil)
	require.Equal(t, None, drop)
	require.Len(t, out, 1)
	require.False(t, out[0].Corrupted)
	require.Empty(t, out[0].Msg)
}

func TestBaseLatencyStaysWithinBoundsAndCoversThem(t *testing.T) {
	const lo, hi = 1000, 1009
	n := newNet(2, 6, LinkOptions{LatencyMin: lo, LatencyMax: hi})
	seen := make(map[int64]int)
	for i := range draws {
		out, _ := n.Send(50, 0, 1, numbered(i), nil)
		lat := out[0].At - 50
		require.GreaterOrEqual(t, lat, int64(lo))
		require.LessOrEqual(t, lat, int64(hi))
		seen[lat]++
	}
	require.Len(t, seen, hi-lo+1, "every latency in the inclusive range occurs")
	for _, c := range seen {
		requireRate(t, "latency value", c, draws, 1.0/(hi-lo+1))
	}
}

func TestTailLatencyHitsAboutTheConfiguredShareWithinBounds(t *testing.T) {
	const base, tailMax = 1000, 1_000_000
	n := newNet(2, 7, LinkOptions{LatencyMin: base, LatencyMax: base, TailProb: 0.05, TailMax: tailMax})
	tails, longest := 0, int64(0)
	for i := range draws {
		out, _ := n.Send(0, 0, 1, numbered(i), nil)
		tail := out[0].At - base
		require.GreaterOrEqual(t, tail, int64(0))
		require.LessOrEqual(t, tail, int64(tailMax))
		if tail > 0 {
			tails++
		}
		longest = max(longest, tail)
	}
	// A tail of exactly 0 is possible but has odds of 1 in a million.
	requireRate(t, "tail delays", tails, draws, 0.05)
	require.Greater(t, longest, int64(tailMax*9/10), "tails reach toward TailMax")
}

func TestLatencySpreadReordersMessages(t *testing.T) {
	n := newNet(2, 8, LinkOptions{LatencyMin: 100, LatencyMax: 10_000})
	var out []Delivery
	for i := range 1000 {
		out, _ = n.Send(int64(i)*100, 0, 1, numbered(i), out)
	}
	// Arrival order, ties broken by send order as the kernel does.
	slices.SortStableFunc(out, func(a, b Delivery) int { return int(a.At - b.At) })
	overtaken := 0
	for i := 1; i < len(out); i++ {
		if numberOf(out[i].Msg) < numberOf(out[i-1].Msg) {
			overtaken++
		}
	}
	require.Greater(t, overtaken, 100, "messages on one link overtake each other")
}

func TestConstantLatencyKeepsLinkOrder(t *testing.T) {
	n := newNet(2, 9, LinkOptions{LatencyMin: 500, LatencyMax: 500})
	var out []Delivery
	for i := range 100 {
		out, _ = n.Send(int64(i), 0, 1, numbered(i), out)
	}
	require.True(t, slices.IsSortedFunc(out, func(a, b Delivery) int { return int(a.At - b.At) }))
}

func TestSelfSendIsInstantAndFaultFree(t *testing.T) {
	all := LinkOptions{LatencyMin: 5, LatencyMax: 9, TailProb: 1, TailMax: 9, Loss: 1, Dup: 1, Corrupt: 1}
	n := newNet(2, 10, all)
	n.Partition([]int{0}, []int{1})
	n.Block(1, 1)
	n.Clog(1, 1, 1_000_000)
	msg := numbered(7)
	out, drop := n.Send(42, 1, 1, msg, nil)
	require.Equal(t, None, drop)
	require.Equal(t, []Delivery{{At: 42, Msg: msg}}, out)
	require.True(t, n.Connected(1, 1))
	require.True(t, n.Deliverable(42, 1, 1))
}

func TestSendAppendsToTheGivenSlice(t *testing.T) {
	n := newNet(2, 11, LinkOptions{Dup: 1})
	prior := Delivery{At: -1}
	out, _ := n.Send(0, 0, 1, numbered(1), []Delivery{prior})
	require.Len(t, out, 3)
	require.Equal(t, prior, out[0])
}

func TestLinkOptionsArePerDirection(t *testing.T) {
	n := newNet(3, 12, LinkOptions{})
	n.SetLink(0, 1, LinkOptions{Loss: 1})
	_, drop := n.Send(0, 0, 1, numbered(1), nil)
	require.Equal(t, Lost, drop)
	for _, l := range [][2]int{{1, 0}, {0, 2}, {2, 1}} {
		_, drop = n.Send(0, l[0], l[1], numbered(1), nil)
		require.Equal(t, None, drop, "link %d->%d", l[0], l[1])
	}
	require.Equal(t, LinkOptions{Loss: 1}, n.Options(0, 1))
	n.SetAll(LinkOptions{})
	require.Equal(t, LinkOptions{}, n.Options(0, 1))
}

func TestInvalidOptionsAreRejected(t *testing.T) {
	for name, o := range map[string]LinkOptions{
		"negative latency": {LatencyMin: -1},
		"max below min":    {LatencyMin: 10, LatencyMax: 9},
		"negative tail":    {TailMax: -1},
		"tail prob > 1":    {TailProb: 1.5},
		"negative loss":    {Loss: -0.1},
		"dup > 1":          {Dup: 2},
		"corrupt NaN":      {Corrupt: nan()},
	} {
		err := o.Validate()
		require.True(t, errors.Is(err, ErrInvalidOptions), "%s: %v", name, err)
		require.Panics(t, func() { newNet(2, 1, o) }, name)
	}
	require.NoError(t, faulty.Validate())
	require.NoError(t, LinkOptions{}.Validate())
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestBadNodeIdsPanic(t *testing.T) {
	n := newNet(2, 1, LinkOptions{})
	require.Panics(t, func() { n.Send(0, 0, 2, nil, nil) })
	require.Panics(t, func() { n.Block(-1, 0) })
	require.Panics(t, func() { n.Partition([]int{5}) })
	require.Panics(t, func() { n.Partition([]int{0}, []int{0}) })
}

func TestDropNamesItsReason(t *testing.T) {
	require.Equal(t, "none", None.String())
	require.Equal(t, "partitioned", Partitioned.String())
	require.Equal(t, "lost", Lost.String())
	require.Equal(t, "Drop(9)", Drop(9).String())
}

func TestIntactCopiesShareTheSendersBytes(t *testing.T) {
	n := newNet(2, 13, LinkOptions{Dup: 1})
	msg := numbered(3)
	out, _ := n.Send(0, 0, 1, msg, nil)
	require.Len(t, out, 2)
	for _, d := range out {
		require.True(t, bytes.Equal(msg, d.Msg))
		require.Same(t, &msg[0], &d.Msg[0])
	}
}
