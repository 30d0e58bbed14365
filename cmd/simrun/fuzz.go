package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/campaign"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

func cmdFuzz(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("fuzz")
	rf := runFlags{collectors: -1}
	var base seedFlag
	var dur durationFlag
	var seeds, workers int
	var corpus, shardSpec string
	var asJSON bool
	fs.StringVar(&rf.scenario, "scenario", "", "scenario, comma-separated list, or all (default: the bug's own scenario, else all)")
	fs.StringVar(&rf.bug, "bug", "", "planted bug to switch on")
	rf.registerCluster(fs)
	rf.registerPageRepair(fs)
	fs.IntVar(&seeds, "seeds", 0, "seeds per scenario")
	fs.Var(&dur, "duration", "run for this long instead of a seed count")
	fs.IntVar(&workers, "workers", runtime.NumCPU(), "parallel simulations")
	fs.StringVar(&corpus, "corpus", "corpus", "directory for failing seed files")
	fs.Var(&base, "base", "first seed (default: from the clock, printed)")
	fs.StringVar(&shardSpec, "shard", "0/1", "run shard i of n: seeds are split with no overlap")
	fs.BoolVar(&asJSON, "json", false, "one JSON object per line")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	switch {
	case seeds < 0:
		return usagef("fuzz: -seeds must not be negative, got %d", seeds)
	case seeds == 0 && dur.d == 0:
		return usagef("fuzz: needs -seeds N or -duration D")
	case seeds > 0 && dur.d > 0:
		return usagef("fuzz: give -seeds or -duration, not both")
	case workers < 1:
		return usagef("fuzz: -workers must be at least 1, got %d", workers)
	}
	shard, shards, err := parseShard(shardSpec)
	if err != nil {
		return err
	}
	scs, opts, err := rf.resolveMany()
	if err != nil {
		return err
	}
	if !base.set {
		base.v = uint64(time.Now().UnixNano()) & (1<<48 - 1)
	}
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		return usagef("fuzz: -corpus: %v", err)
	}
	c := &campaign.Fuzz{Scenarios: scs, Opts: opts, Base: base.v, Shard: shard, Shards: shards,
		Seeds: seeds, Duration: dur.d, Pool: campaign.Pool{Workers: workers}, Corpus: corpus}
	enc := json.NewEncoder(stdout)
	if !asJSON {
		fmt.Fprintf(stdout, "fuzz: base %d, shard %d/%d, %d workers, scenarios %s\n", base.v, shard, shards, workers, names(scs))
	}
	c.OnSeed = func(o campaign.Outcome) { reportSeed(stdout, stderr, enc, asJSON, o) }
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sums := c.Run(ctx)
	failed := false
	for _, s := range sums {
		reportSummary(stdout, enc, asJSON, s)
		failed = failed || s.Failed()
	}
	reportNeverReached(stdout, enc, asJSON, campaign.NeverReached(sums))
	if ctx.Err() != nil && !asJSON {
		fmt.Fprintln(stdout, "fuzz: interrupted; the summary covers the seeds that finished")
	}
	if failed {
		return &exitError{code: exitViolation}
	}
	return nil
}

func reportSeed(stdout, stderr io.Writer, enc *json.Encoder, asJSON bool, o campaign.Outcome) {
	r := o.Res
	if asJSON {
		line := map[string]any{"type": "seed", "scenario": o.Scenario, "seed": o.Seed, "result": "pass",
			"trace_hash": fmt.Sprintf("%016x", r.TraceHash)}
		if r.Failed() {
			line["result"], line["check"], line["reason"] = "fail", r.First().Checker, r.First().String()
			if o.Saved != "" {
				line["file"] = o.Saved
			}
			if !o.Deterministic() {
				line["check"], line["reason"] = "determinism", fmt.Sprintf("re-run gave trace hash %016x", o.ReplayHash)
			}
		} else if r.Unknown != "" {
			line["result"], line["reason"] = "unknown", r.Unknown
		}
		enc.Encode(line)
	} else if r.Failed() {
		fmt.Fprintf(stdout, "FAIL %s seed %d: %s\n", o.Scenario, o.Seed, r.First().String())
		switch {
		case !o.Deterministic():
			fmt.Fprintf(stdout, "  NONDETERMINISTIC: re-run gave trace hash %016x, first %016x\n", o.ReplayHash, r.TraceHash)
		case o.Saved != "":
			fmt.Fprintf(stdout, "  saved %s (simrun replay %s)\n", o.Saved, o.Saved)
		}
	}
	if o.SaveErr != nil {
		fmt.Fprintf(stderr, "simrun: saving %s: %v\n", o.Saved, o.SaveErr)
	}
}

func reportSummary(stdout io.Writer, enc *json.Encoder, asJSON bool, s *campaign.Summary) {
	if asJSON {
		counters := map[string]int64{}
		for _, n := range s.Counters.Names() {
			counters[n] = s.Counters[n]
		}
		enc.Encode(map[string]any{"type": "summary", "scenario": s.Scenario, "seeds": s.Seeds,
			"violations": s.Violations, "liveness_failures": s.Liveness, "unknown": s.Unknown,
			"nondeterministic": s.Nondet, "counters": counters, "probes": map[string]int64(s.Probes),
			"sim_seconds": float64(s.SimTime) / 1e9, "wall_seconds": s.Wall.Seconds()})
		return
	}
	var parts []string
	for _, n := range s.Counters.Names() {
		parts = append(parts, fmt.Sprintf("%s=%d", n, s.Counters[n]))
	}
	fmt.Fprintf(stdout, "%-22s seeds=%d violations=%d liveness=%d unknown=%d nondeterministic=%d  %s\n",
		s.Scenario, s.Seeds, s.Violations, s.Liveness, s.Unknown, s.Nondet, strings.Join(parts, " "))
}

// reportNeverReached lists the code probes no seed reached: the paths this
// campaign never drove.
func reportNeverReached(stdout io.Writer, enc *json.Encoder, asJSON bool, never []node.CodeProbeInfo) {
	if asJSON {
		names := []string{}
		for _, p := range never {
			names = append(names, string(p.Probe))
		}
		enc.Encode(map[string]any{"type": "probes", "never_reached": names, "total": len(harness.CodeProbes())})
		return
	}
	fmt.Fprintf(stdout, "code probes: %d of %d reached\n", len(harness.CodeProbes())-len(never), len(harness.CodeProbes()))
	for _, p := range never {
		fmt.Fprintf(stdout, "  never reached: %-40s %s (%s)\n", p.Probe, p.Means, p.Where)
	}
}

// resolveMany expands -scenario (a name, a comma-separated list or "all";
// empty means the bug's own scenario, else all).
func (rf *runFlags) resolveMany() ([]*scenarios.Scenario, scenarios.Options, error) {
	spec := rf.scenario
	if spec == "" {
		spec = "all"
		if rf.bug != "" {
			b, err := node.LookupBug(node.Bug(rf.bug))
			if err != nil {
				return nil, scenarios.Options{}, usagef("%v", err)
			}
			spec = b.Scenario
		}
	}
	var out []*scenarios.Scenario
	var opts scenarios.Options
	if spec == "all" {
		out = scenarios.All()
		one := *rf
		one.scenario = out[0].Name
		_, o, err := one.resolve()
		return out, o, err
	}
	for _, name := range strings.Split(spec, ",") {
		one := *rf
		one.scenario = strings.TrimSpace(name)
		sc, o, err := one.resolve()
		if err != nil {
			return nil, opts, err
		}
		out, opts = append(out, sc), o
	}
	return out, opts, nil
}

func names(scs []*scenarios.Scenario) string {
	var n []string
	for _, s := range scs {
		n = append(n, s.Name)
	}
	return strings.Join(n, ",")
}

// parseShard reads "i/n" with 0 <= i < n.
func parseShard(spec string) (int, int, error) {
	a, b, ok := strings.Cut(spec, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef("-shard must be i/n with 0 <= i < n, got %q", spec)
	}
	return i, n, nil
}
