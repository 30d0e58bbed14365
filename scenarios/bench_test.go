package scenarios

import (
	"testing"
	"time"

	"github.com/monsim/monsim/checker"
)

// BenchmarkScenario runs whole seeds of each scenario: ns/op is one seed,
// with seeds/s and the simulated-time speedup (simulated seconds per wall
// second) reported alongside. Run with -cpu 1 for the one-core figure.
func BenchmarkScenario(b *testing.B) {
	for _, sc := range All() {
		b.Run(sc.Name, func(b *testing.B) {
			var sim int64
			seed := uint64(0)
			start := time.Now()
			for b.Loop() {
				seed++
				res := sc.Run(Options{Seed: seed})
				sim += res.SimTime
			}
			wall := time.Since(start).Seconds()
			b.ReportMetric(float64(seed)/wall, "seeds/s")
			b.ReportMetric(float64(sim)/1e9/wall, "speedup")
		})
	}
}

// BenchmarkLargestHistory times porcupine on the largest client history a
// cluster scenario produces (steady: no faults, so every op completes).
func BenchmarkLargestHistory(b *testing.B) {
	sc, _ := Lookup("steady")
	ops := sc.Run(Options{Seed: 1}).History
	for b.Loop() {
		if r := checker.CheckLinearizable(ops, time.Minute); r.Verdict != checker.VerdictOK {
			b.Fatal(r.Verdict)
		}
	}
	b.ReportMetric(float64(len(ops)), "ops")
}
