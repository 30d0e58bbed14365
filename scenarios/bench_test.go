package scenarios

import (
	"slices"
	"syscall"
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

// BenchmarkCollectorCost runs seeds round-robin over every scenario but
// collectors-offline (whose collectors are the scenario), as the default
// job does, each seed twice: with the scenario's own collectors and with
// none. It reports seeds per CPU-second for both, and their ratio (process
// CPU time, so a machine shared with other work still gives the cost of
// the collectors). Run with -cpu 1.
func BenchmarkCollectorCost(b *testing.B) {
	all := slices.DeleteFunc(All(), func(s *Scenario) bool { return s.Name == "collectors-offline" })
	var with, without time.Duration
	n := 0
	for b.Loop() {
		sc, seed := all[n%len(all)], uint64(n/len(all))+1
		t0 := cpuTime(b)
		sc.Run(Options{Seed: seed})
		t1 := cpuTime(b)
		sc.Run(Options{Seed: seed, Collectors: NoCollectors})
		without += cpuTime(b) - t1
		with += t1 - t0
		n++
	}
	b.ReportMetric(float64(n)/with.Seconds(), "seeds/cpu-s")
	b.ReportMetric(float64(n)/without.Seconds(), "seeds/cpu-s-without")
	b.ReportMetric(with.Seconds()/without.Seconds(), "cost-ratio")
}

// cpuTime is the CPU time the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
