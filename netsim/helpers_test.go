package netsim

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/monsim/monsim/internal/rng"
	"github.com/stretchr/testify/require"
)

// draws is how many messages a rate test sends.
const draws = 20000

// faulty is a lively but workable network, used where a test needs every
// fault switched on at once, and by the benchmark.
var faulty = LinkOptions{
	LatencyMin: 200_000, LatencyMax: 2_000_000,
	TailProb: 0.05, TailMax: 50_000_000,
	Loss: 0.05, Dup: 0.05, Corrupt: 0.02,
}

func newNet(nodes int, seed uint64, o LinkOptions) *Network {
	return New(nodes, rng.New(seed, "net"), o)
}

// numbered returns an 8-byte message carrying i, so a test can tell copies
// apart after reordering.
func numbered(i int) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(i))
}

func numberOf(msg []byte) int { return int(binary.BigEndian.Uint64(msg)) }

// requireRate checks that count hits out of n trials fit probability p
// within five standard deviations. Seeds are fixed, so this never flakes; the
// width only keeps the bound honest.
func requireRate(t *testing.T, what string, count, n int, p float64) {
	t.Helper()
	mean := float64(n) * p
	slack := 5 * math.Sqrt(float64(n)*p*(1-p))
	require.InDelta(t, mean, float64(count), slack,
		"%s: %d of %d, expected about %.0f (p=%v)", what, count, n, mean, p)
}

// bitsDiffer counts the bits in which a and b differ; they have equal length.
func bitsDiffer(a, b []byte) int {
	d := 0
	for i := range a {
		for x := a[i] ^ b[i]; x != 0; x &= x - 1 {
			d++
		}
	}
	return d
}
