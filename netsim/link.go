package netsim

import (
	"errors"
	"fmt"
	"slices"

	"github.com/monsim/monsim/internal/rng"
)

// ErrInvalidOptions is wrapped by LinkOptions.Validate.
var ErrInvalidOptions = errors.New("netsim: invalid link options")

// LinkOptions sets the probabilistic faults of one directed link. The zero
// value is a perfect link: no latency, no loss, no duplication, no corruption.
type LinkOptions struct {
	// LatencyMin and LatencyMax bound the base one-way latency in simulated
	// nanoseconds, drawn uniformly from [LatencyMin, LatencyMax] per copy.
	// Both zero: messages arrive at the instant they are sent.
	LatencyMin, LatencyMax int64
	// TailProb is the chance, in [0, 1], that a copy gets an extra tail delay
	// on top of its base latency. Zero: no tail.
	TailProb float64
	// TailMax bounds the tail delay in simulated nanoseconds, drawn uniformly
	// from [0, TailMax]. Zero: a tail adds nothing.
	TailMax int64
	// Loss is the chance, in [0, 1], that a message is lost. Zero: never.
	Loss float64
	// Dup is the chance, in [0, 1], that a message arrives twice. Zero: never.
	Dup float64
	// Corrupt is the chance, in [0, 1], that a copy arrives with 1 to 3 bits
	// flipped. Zero: never.
	Corrupt float64
}

// Validate reports, wrapping ErrInvalidOptions, the first field out of range.
func (o LinkOptions) Validate() error {
	switch {
	case o.LatencyMin < 0:
		return fmt.Errorf("%w: LatencyMin %d < 0", ErrInvalidOptions, o.LatencyMin)
	case o.LatencyMax < o.LatencyMin:
		return fmt.Errorf("%w: LatencyMax %d < LatencyMin %d", ErrInvalidOptions, o.LatencyMax, o.LatencyMin)
	case o.TailMax < 0:
		return fmt.Errorf("%w: TailMax %d < 0", ErrInvalidOptions, o.TailMax)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"TailProb", o.TailProb}, {"Loss", o.Loss}, {"Dup", o.Dup}, {"Corrupt", o.Corrupt}} {
		if !(p.v >= 0 && p.v <= 1) { // also rejects NaN
			return fmt.Errorf("%w: %s %v outside [0, 1]", ErrInvalidOptions, p.name, p.v)
		}
	}
	return nil
}

// link is the state of one directed link.
type link struct {
	opts LinkOptions
	// blocked cuts this direction only (Block).
	blocked bool
	// clogUntil holds messages sent before it until then (Clog); zero or a
	// past time holds nothing.
	clogUntil int64
}

// latency draws one copy's time on the wire: base plus an occasional tail.
func (o *LinkOptions) latency(r *rng.Stream) int64 {
	d := r.Range(o.LatencyMin, o.LatencyMax)
	if r.Chance(o.TailProb) {
		d += r.Range(0, o.TailMax)
	}
	return d
}

// maxFlips bounds the bits flipped in one corrupted copy.
const maxFlips = 3

// corrupt returns a private copy of msg with 1 to maxFlips distinct bits
// flipped. Distinct, so that two flips never cancel and the copy always
// differs from the original. msg must not be empty; every byte has 8 bits,
// so there are always enough distinct positions.
func corrupt(r *rng.Stream, msg []byte) []byte {
	c := make([]byte, len(msg))
	copy(c, msg)
	bits := uint64(len(msg)) * 8
	var flipped [maxFlips]uint64
	k := int(r.Range(1, maxFlips))
	for i := 0; i < k; {
		b := r.Below(bits)
		if slices.Contains(flipped[:i], b) {
			continue // redraw a repeat
		}
		flipped[i] = b
		c[b/8] ^= 1 << (b % 8)
		i++
	}
	return c
}
