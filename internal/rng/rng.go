// Package rng gives every component of a run its own deterministic random
// stream, derived from (run seed, stream name), so adding draws in one
// component never shifts another.
//
// Range helpers are built on PCG.Uint64 directly rather than on rand.Rand's
// IntN and friends, whose algorithms are free to change between Go releases:
// a seed must replay on a newer toolchain.
package rng

import (
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
)

// Stream is one named PRNG stream. The zero value is not usable; use New.
type Stream struct {
	pcg rand.PCG
}

// New derives the stream called name from the run seed.
func New(seed uint64, name string) *Stream {
	s := &Stream{}
	s.pcg.Seed(seed, nameHash(name))
	return s
}

// Derive returns a child stream, named relative to this one's next draw.
// It lets a component hand sub-streams to its parts without a global name
// registry.
func (s *Stream) Derive(name string) *Stream {
	c := &Stream{}
	c.pcg.Seed(s.Uint64(), nameHash(name))
	return c
}

func nameHash(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Uint64 returns the next raw 64-bit draw.
func (s *Stream) Uint64() uint64 { return s.pcg.Uint64() }

// Below returns a value in [0, n). n must be > 0. It uses Lemire's
// multiply-and-reject method, which is unbiased and needs one draw almost always.
func (s *Stream) Below(n uint64) uint64 {
	if n == 0 {
		panic("rng: Below(0)")
	}
	hi, lo := bits.Mul64(s.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(s.Uint64(), n)
		}
	}
	return hi
}

// Intn returns a value in [0, n) as an int. n must be > 0.
func (s *Stream) Intn(n int) int { return int(s.Below(uint64(n))) }

// Range returns a value in [lo, hi]. It returns lo when hi <= lo.
func (s *Stream) Range(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(s.Below(uint64(hi-lo)+1))
}

// Float returns a value in [0, 1) with 53 bits of precision.
func (s *Stream) Float() float64 {
	return float64(s.Uint64()>>11) * (1.0 / (1 << 53))
}

// Chance reports true with probability p. p <= 0 never draws true and p >= 1
// always does; both still consume one draw so that a rate of zero does not
// shift later draws relative to a small non-zero rate.
func (s *Stream) Chance(p float64) bool {
	return s.Float() < p
}

// Pick returns a uniformly chosen index into a collection of n items.
func (s *Stream) Pick(n int) int { return s.Intn(n) }

// Shuffle permutes n items through swap, Fisher-Yates.
func (s *Stream) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, s.Intn(i+1))
	}
}
