package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
	"github.com/monsim/monsim/sim"
)

// benchFlags are bench's flags: which items it measures and how.
type benchFlags struct {
	per       durationFlag // quick look: how long to measure each item
	bugs      bool         // hunt every planted bug
	bases     int          // hunts per bug, each from its own fixed base
	limit     durationFlag // give a hunt up after this long
	workers   int
	compare   string // an older simrun to compare with
	with      string // the build compared with it (default: this one)
	seeds     int    // compare: seeds per scenario per round
	rounds    int    // compare: alternations
	bugNames  string // only these bugs (comma-separated)
	scenNames string // only these scenarios (comma-separated)
}

// cmdBench measures speed. With no mode flag it is a quick look on a new
// machine: the kernel's event rate and each scenario's seeds per second and
// simulated-time speedup, on one core. -bugs hunts every planted bug from
// fixed bases and reports how long it takes to find each one. -compare
// runs the same work with two builds, alternating, and prints ratios.
// BENCHMARKS.md records the careful figures (go test -bench, benchstat).
func cmdBench(args []string, stdout, _ io.Writer) error {
	fs := newFlags("bench")
	bf := benchFlags{per: durationFlag{d: 2 * time.Second}, limit: durationFlag{d: time.Minute}}
	fs.Var(&bf.per, "time", "quick look: how long to measure each item")
	fs.BoolVar(&bf.bugs, "bugs", false, "hunt every planted bug from fixed bases: time and seeds to the first failure")
	fs.IntVar(&bf.bases, "bases", 5, "-bugs: hunts per bug, each from its own fixed base")
	fs.Var(&bf.limit, "limit", "-bugs: give a hunt up after this long")
	fs.IntVar(&bf.workers, "workers", runtime.NumCPU(), "-bugs: parallel simulations per hunt")
	fs.StringVar(&bf.compare, "compare", "", "run the same work with this older simrun binary too, alternating, and print ratios")
	fs.StringVar(&bf.with, "with", "", "-compare: the build to compare with it (default: this simrun)")
	fs.IntVar(&bf.seeds, "seeds", 5, "-compare: seeds per scenario per round")
	fs.IntVar(&bf.rounds, "rounds", 3, "-compare: rounds, each running both builds in turn")
	fs.StringVar(&bf.bugNames, "bug", "", "only these planted bugs (comma-separated)")
	fs.StringVar(&bf.scenNames, "scenario", "", "only these scenarios (comma-separated)")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	switch {
	case bf.per.d <= 0:
		return usagef("bench: -time must be positive")
	case bf.limit.d <= 0:
		return usagef("bench: -limit must be positive")
	case bf.bases < 1:
		return usagef("bench: -bases must be at least 1, got %d", bf.bases)
	case bf.workers < 1:
		return usagef("bench: -workers must be at least 1, got %d", bf.workers)
	case bf.seeds < 1:
		return usagef("bench: -seeds must be at least 1, got %d", bf.seeds)
	case bf.rounds < 1:
		return usagef("bench: -rounds must be at least 1, got %d", bf.rounds)
	case bf.with != "" && bf.compare == "":
		return usagef("bench: -with needs -compare")
	}
	bugs, err := pickBugs(bf.bugNames)
	if err != nil {
		return err
	}
	scs, err := pickScenarios(bf.scenNames)
	if err != nil {
		return err
	}
	switch {
	case bf.compare != "":
		return benchCompare(stdout, &bf, scs, bugs)
	case bf.bugs:
		return benchBugs(stdout, &bf, bugs)
	}
	quickLook(stdout, bf.per.d, scs)
	return nil
}

// pickBugs is the catalog, or the named part of it: bugs added to node's
// catalog are hunted with no change here.
func pickBugs(spec string) ([]node.BugInfo, error) {
	if spec == "" {
		return node.BugCatalog(), nil
	}
	var out []node.BugInfo
	for _, name := range strings.Split(spec, ",") {
		b, err := node.LookupBug(node.Bug(strings.TrimSpace(name)))
		if err != nil {
			return nil, usagef("bench: %v", err)
		}
		out = append(out, b)
	}
	return out, nil
}

func pickScenarios(spec string) ([]*scenarios.Scenario, error) {
	if spec == "" {
		return scenarios.All(), nil
	}
	var out []*scenarios.Scenario
	for _, name := range strings.Split(spec, ",") {
		sc, err := scenarios.Lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, usagef("bench: %v", err)
		}
		out = append(out, sc)
	}
	return out, nil
}

// quickLook prints the kernel's event rate and each scenario's seeds per
// second and speedup, measured on one core for about d each.
func quickLook(stdout io.Writer, d time.Duration, scs []*scenarios.Scenario) {
	rate := kernelRate(d)
	fmt.Fprintf(stdout, "kernel: %.1fM timer events/s with 1k pending\n", rate/1e6)
	fmt.Fprintf(stdout, "%-22s %9s %9s\n", "scenario", "seeds/s", "speedup")
	for _, sc := range scs {
		start := time.Now()
		var seeds int
		var simulated int64
		for time.Since(start) < d {
			seeds++
			simulated += sc.Run(scenarios.Options{Seed: uint64(seeds)}).SimTime
		}
		wall := time.Since(start).Seconds()
		fmt.Fprintf(stdout, "%-22s %9.1f %8.0fx\n", sc.Name, float64(seeds)/wall, float64(simulated)/1e9/wall)
	}
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

// median and worst of a sample (sorted copy; the sample is not changed).
func medianOf[T int | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func worstOf[T int | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	return slices.Max(xs)
}
