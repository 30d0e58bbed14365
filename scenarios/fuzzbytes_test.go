package scenarios

import (
	"encoding/binary"
	"hash/fnv"
	"math/bits"
	"slices"
	"testing"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
)

// fuzzBytes decodes a fuzz input into draws that never run out, so every
// input go's fuzzer tries runs a whole cluster (rapid.MakeFuzz skips an
// input that runs out of bytes, and nearly all do).
//
// A draw takes as few whole bytes as its range needs (one for a monitor or
// a fault kind, five for a time in nanoseconds), big-endian, reduced modulo
// the range: a mutated byte changes one choice, not the ones around it. The
// modulo's slight bias toward low values does not matter to a fuzzer.
//
// Once the input's bytes are used up (a draw that finds too few left takes
// none of them), draws come from a PCG stream seeded with a hash of the
// whole input. A short input, even an empty one, is thus a complete
// schedule, the same one every time, and two short inputs are two
// different schedules.
type fuzzBytes struct {
	data []byte
	all  []byte
	more *rng.Stream // nil until data runs out
}

func newFuzzBytes(data []byte) *fuzzBytes { return &fuzzBytes{data: data, all: data} }

// below returns a value in [0, n); n must be > 0 (every range drawn here
// is far narrower than 64 bits).
func (f *fuzzBytes) below(n uint64) uint64 {
	need := (bits.Len64(n-1) + 7) / 8
	if need == 0 {
		return 0 // a range of one value takes no byte
	}
	if f.more == nil && len(f.data) >= need {
		var buf [8]byte
		copy(buf[8-need:], f.data[:need])
		f.data = f.data[need:]
		return binary.BigEndian.Uint64(buf[:]) % n
	}
	if f.more == nil {
		h := fnv.New64a()
		h.Write(f.all)
		f.more = rng.New(h.Sum64(), "fuzz-input")
	}
	return f.more.Below(n)
}

func (f *fuzzBytes) Int(lo, hi int, _ string) int {
	return int(f.Int64(int64(lo), int64(hi), ""))
}

func (f *fuzzBytes) Int64(lo, hi int64, _ string) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(f.below(uint64(hi-lo)+1))
}

// floatSteps is how finely a float range is divided: two bytes.
const floatSteps = 1 << 16

func (f *fuzzBytes) Float64(lo, hi float64, _ string) float64 {
	return lo + (hi-lo)*float64(f.below(floatSteps))/(floatSteps-1)
}

// The input's bytes come first, as few per draw as the range needs,
// big-endian and modulo the range; a range of one value takes none.
func TestFuzzBytesReadsTheInputFirst(t *testing.T) {
	d := newFuzzBytes([]byte{3, 0x01, 0x02, 0, 0, 0, 0, 5, 13, 0xff, 0xff})
	require.Equal(t, 3, d.Int(0, 7, ""))
	require.Equal(t, 9, d.Int(9, 9, ""), "one value, no byte")
	require.Equal(t, 0x0102+10, d.Int(10, 10+60_000, ""), "two bytes")
	require.Equal(t, sim.Second+5, d.Int64(sim.Second, 19*sim.Second, ""), "five bytes for nanoseconds")
	require.Equal(t, 1+13%4, d.Int(1, 4, ""), "modulo the range")
	require.Equal(t, 0.2, d.Float64(0.01, 0.2, ""), "0xffff is the top of the range")
	require.Empty(t, d.data)
}

// Once the input is used up, draws go on from a stream seeded by the whole
// input: deterministic for the same bytes, different for other bytes, never
// out of range, and never running out.
func TestFuzzBytesNeverRunOut(t *testing.T) {
	draw := func(data []byte) []int64 {
		d := newFuzzBytes(data)
		var out []int64
		for range 1000 {
			v := d.Int64(-3, 1<<40, "")
			require.True(t, v >= -3 && v <= 1<<40, "%d out of range", v)
			f := d.Float64(0.5, 0.75, "")
			require.True(t, f >= 0.5 && f <= 0.75, "%v out of range", f)
			out = append(out, v)
		}
		return out
	}
	for _, in := range [][]byte{nil, {}, {1}, {1, 2, 3}} {
		require.Equal(t, draw(in), draw(in), "%v", in)
	}
	require.Equal(t, draw(nil), draw([]byte{}), "nil and empty are one input")
	require.NotEqual(t, draw([]byte{1})[1:], draw([]byte{2})[1:], "one-byte inputs continue differently")
	// A draw that finds too few bytes left takes none: the rest come from
	// the stream, so a longer input with the same prefix differs only later.
	d := newFuzzBytes([]byte{1, 2})
	d.Int64(0, 1<<40, "")
	require.Equal(t, []byte{1, 2}, d.data, "a five-byte draw left the two bytes alone")
}

// Whatever the bytes, the decoded plan stays within the property's fault
// model: at most eight faults plus two store breaks on distinct monitors,
// all inside the fault phase, no heal (the harness adds it), and valid for
// five monitors.
func TestFuzzBytesPlansStayInTheFaultModel(t *testing.T) {
	r := rng.New(1, "fuzz-plan-test")
	var mostBroken, mostOther int
	for i := range 2000 {
		in := make([]byte, r.Intn(200))
		for j := range in {
			in[j] = byte(r.Uint64())
		}
		plan := drawPlan(newFuzzBytes(in), 5)
		require.NoError(t, harness.CheckPlan(plan, 5, 0), "input %d", i)
		broken := map[int]bool{}
		other := 0
		for _, f := range plan.Faults {
			require.True(t, f.At >= sim.Second && f.At < harness.FaultPhase, "input %d: %+v outside the fault phase", i, f)
			switch {
			case f.Kind == sim.FaultCorrupt, f.Kind == sim.FaultPowerLoss && f.Power == faultfs.Lying:
				require.False(t, broken[f.Node], "input %d: monitor %d broken twice", i, f.Node)
				broken[f.Node] = true
			case f.Kind == sim.FaultCrash && slices.ContainsFunc(plan.Faults, func(g sim.Fault) bool {
				return g.Kind == sim.FaultCorrupt && g.Node == f.Node && g.At == f.At+f.For/2
			}):
				// the crash that takes a breaking store down
			default:
				require.NotEqual(t, sim.FaultHeal, f.Kind)
				require.NotEqual(t, sim.FaultRestart, f.Kind)
				other++
			}
		}
		require.LessOrEqual(t, len(broken), 2, "input %d", i)
		require.LessOrEqual(t, other, 8, "input %d", i)
		mostBroken, mostOther = max(mostBroken, len(broken)), max(mostOther, other)
	}
	require.Equal(t, 2, mostBroken, "the inputs reach the limit on breaks")
	require.GreaterOrEqual(t, mostOther, 7, "and busy schedules")
}
