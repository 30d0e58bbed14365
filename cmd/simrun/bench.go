package main

import (
	"fmt"
	"io"
	"time"

	"github.com/monsim/monsim/scenarios"
	"github.com/monsim/monsim/sim"
)

// cmdBench measures, on one core, the kernel's event rate and each
// scenario's seeds per second and simulated-time speedup. BENCHMARKS.md
// records the careful figures (go test -bench, benchstat); this is the
// quick look on a new machine.
func cmdBench(args []string, stdout, _ io.Writer) error {
	fs := newFlags("bench")
	per := durationFlag{d: 2 * time.Second}
	fs.Var(&per, "time", "how long to measure each item")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if per.d <= 0 {
		return usagef("bench: -time must be positive")
	}
	rate := kernelRate(per.d)
	fmt.Fprintf(stdout, "kernel: %.1fM timer events/s with 1k pending\n", rate/1e6)
	fmt.Fprintf(stdout, "%-22s %9s %9s\n", "scenario", "seeds/s", "speedup")
	for _, sc := range scenarios.All() {
		start := time.Now()
		var seeds int
		var simulated int64
		for time.Since(start) < per.d {
			seeds++
			simulated += sc.Run(scenarios.Options{Seed: uint64(seeds)}).SimTime
		}
		wall := time.Since(start).Seconds()
		fmt.Fprintf(stdout, "%-22s %9.1f %8.0fx\n", sc.Name, float64(seeds)/wall, float64(simulated)/1e9/wall)
	}
	return nil
}

// kernelRate dispatches timer events with 1k pending for about d and
// returns events per second.
func kernelRate(d time.Duration) float64 {
	k := sim.New(sim.Config{Endpoints: 1, MaxEvents: 1 << 62, MaxTime: 1 << 62})
	k.Attach(0, &rearm{k: k})
	k.Start(0, 0)
	start := time.Now()
	horizon := int64(0)
	for time.Since(start) < d {
		horizon += 100 * sim.Millisecond // 100k events per step
		if err := k.Run(horizon); err != nil {
			break
		}
	}
	return float64(k.Events()) / time.Since(start).Seconds()
}

// rearm keeps 1000 timers pending: each one that fires sets another.
type rearm struct{ k *sim.Kernel }

func (r *rearm) Start() {
	for i := range 1000 {
		r.k.SetTimer(0, int64(i+1)*sim.Microsecond, 0)
	}
}
func (r *rearm) Deliver(int, []byte)      {}
func (r *rearm) Fire(sim.TimerID, uint64) { r.k.SetTimer(0, sim.Millisecond, 0) }
func (r *rearm) Stop()                    {}
