package scenarios

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// BenchmarkScenario runs whole seeds of each scenario: ns/op is one seed,
// with seeds/s and the simulated-time speedup (simulated seconds per wall
// second) reported alongside. Run with -cpu 1 for the one-core figure.
// cpu-speedup divides by the process's CPU time instead: on a machine
// shared with other work, wall time includes waiting for a core and CPU
// time does not, so it is the per-core figure a loaded machine can give.
func BenchmarkScenario(b *testing.B) {
	for _, sc := range All() {
		b.Run(sc.Name, func(b *testing.B) {
			var sim int64
			seed := uint64(0)
			start, cpu := time.Now(), processCPU()
			for b.Loop() {
				seed++
				res := sc.Run(Options{Seed: seed})
				sim += res.SimTime
			}
			wall, cpu := time.Since(start).Seconds(), processCPU()-cpu
			b.ReportMetric(float64(seed)/wall, "seeds/s")
			b.ReportMetric(float64(sim)/1e9/wall, "speedup")
			if cpu > 0 {
				b.ReportMetric(float64(sim)/1e9/cpu, "cpu-speedup")
			}
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
	t := processCPU()
	if t == 0 {
		b.Skip("no process CPU time on this platform")
	}
	return time.Duration(t * 1e9)
}

// BenchmarkRepairCost is what repairing one damaged page costs, page by
// page against rebuilding the whole store (page repair off), for stores of
// 1k, 10k and 100k config keys: the bytes of state the repairing monitor
// fetched, and the simulated time from the damage found at boot to the
// repair done, and to the monitor back in a quorum (rejoined: 1 if it was
// by the end of the run). The damage is one bit in the page of keys k6..k7
// (an eighth of them) of monitor 2's checkpoint, while it is down at t=9 s
// for 300 ms. Each op runs
// seeds 1 to 3 of that plan and reports their means (rejoined: the share
// that did). Run with -benchtime 1x (make bench-repair).
func BenchmarkRepairCost(b *testing.B) {
	plan := sim.Plan{Faults: breakPages(nil, 9*sim.Second, 300*sim.Millisecond, 2, []int{node.PageOf("kv/k6")})}
	for _, keys := range []int{1_000, 10_000, 100_000} {
		for _, pages := range []bool{true, false} {
			how := "page"
			if !pages {
				how = "whole-store"
			}
			b.Run(fmt.Sprintf("keys=%d/%s", keys, how), func(b *testing.B) {
				var bytes, repair, rejoin, rejoined float64
				n := 0
				for b.Loop() {
					for seed := uint64(1); seed <= 3; seed++ {
						res := harness.RunCluster(harness.Options{Seed: seed, Plan: plan, Preload: keys, NoPageRepair: !pages})
						for _, v := range res.Violations {
							if v.Checker != checker.NameLiveness { // a repair that never ends is a figure, not an error
								b.Fatal(v.String())
							}
						}
						path := res.RepairPath
						bytes += float64(res.Counters["repair_bytes"])
						if path.RejoinAt > 0 {
							repair += float64(path.DoneAt-path.StartAt) / 1e9
							rejoin += float64(path.RejoinAt-path.StartAt) / 1e9
							rejoined++
						}
						n++
					}
				}
				b.ReportMetric(bytes/float64(n), "bytes/repair")
				b.ReportMetric(rejoined/float64(n), "rejoined")
				if rejoined > 0 {
					b.ReportMetric(repair/rejoined, "sim-s/repair")
					b.ReportMetric(rejoin/rejoined, "sim-s/rejoin")
				}
			})
		}
	}
}

// BenchmarkScale is the cost of a simulated second as the work grows: the
// cluster size (monitors=N, no faults, as steady), the store's size
// (keys=N: every store preloaded with N config keys, 5 monitors, no
// faults) and the run's length (length=D: a fault phase, without faults,
// of D minus the 20 s heal phase; 5 monitors). It reports CPU ms per simulated second and the allocation per
// simulated second; peak-rss-MB is the process's peak, a run's own only
// when one sub-benchmark runs alone in its process:
//
//	go test -run '^$' -bench 'Scale/keys=100000$' -benchtime 2x ./scenarios/
func BenchmarkScale(b *testing.B) {
	type config struct {
		name       string
		monitors   int
		preload    int
		faultPhase int64
	}
	var configs []config
	for _, n := range []int{3, 5, 7, 9} {
		configs = append(configs, config{fmt.Sprintf("monitors=%d", n), n, 0, 0})
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		configs = append(configs, config{fmt.Sprintf("keys=%d", n), 5, n, 0})
	}
	for _, d := range []time.Duration{40 * time.Second, 400 * time.Second, time.Hour} {
		configs = append(configs, config{"length=" + d.String(), 5, 0, int64(d) - harness.HealPhase})
	}
	for _, c := range configs {
		b.Run(c.name, func(b *testing.B) {
			var simNs int64
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			cpu, alloc := processCPU(), ms.TotalAlloc
			seed := uint64(0)
			for b.Loop() {
				seed++
				res := harness.RunCluster(harness.Options{Seed: seed, Monitors: c.monitors, Preload: c.preload,
					FaultPhase: c.faultPhase})
				if res.Failed() {
					b.Fatal(res.Verdict())
				}
				simNs += res.SimTime
			}
			runtime.ReadMemStats(&ms)
			simS := float64(simNs) / 1e9
			if cpu := processCPU() - cpu; cpu > 0 {
				b.ReportMetric(1000*cpu/simS, "cpu-ms/sim-s")
			}
			b.ReportMetric(float64(ms.TotalAlloc-alloc)/1e6/simS, "alloc-MB/sim-s")
			b.ReportMetric(peakRSS(), "peak-rss-MB")
		})
	}
}
