// Package checker plants the global-rand cases.
package checker

import (
	"hash/maphash" // want `global-rand: import "hash/maphash": it is seeded randomly per process`
	"math/rand/v2"
)

var seed = maphash.MakeSeed()

func globalRand() {
	_ = rand.IntN(10)                  // want `global-rand: rand.IntN draws from the global generator; use the internal/rng stream`
	_ = rand.Uint64()                  // want `global-rand: rand.Uint64`
	_ = rand.N(10)                     // want `global-rand: rand.N`
	rand.Shuffle(3, func(i, j int) {}) // want `global-rand: rand.Shuffle`
	r := rand.New(rand.NewPCG(1, 2))   // near miss: constructors are fine
	_ = r.IntN(10)                     // want `global-rand: \(\*rand.Rand\).IntN may change its algorithm between Go releases`
	_ = r.Float64()                    // want `global-rand: \(\*rand.Rand\).Float64`
	_ = r.Perm(4)                      // want `global-rand: \(\*rand.Rand\).Perm`
	r.Shuffle(3, func(i, j int) {})    // want `global-rand: \(\*rand.Rand\).Shuffle`
}

// Sources are stable: PCG and ChaCha8 draws replay on any toolchain.
func nearMissRand() uint64 {
	pcg := rand.NewPCG(1, 2)
	cc := rand.NewChaCha8([32]byte{})
	_ = rand.NewZipf(rand.New(pcg), 1.5, 1, 10)
	return pcg.Uint64() ^ cc.Uint64()
}

// Outside node/ the unwind rule does not apply: the harness may defer.
func deferOutsideTheMonitor() {
	defer func() { _ = recover() }()
}
