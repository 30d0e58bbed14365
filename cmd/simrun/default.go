package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/monsim/monsim/scenarios"
)

// cmdDefault is the job simrun runs with no arguments: every scenario over
// fresh seeds, on every core, for about 30 seconds, with a live progress
// line and a summary table at the end.
func cmdDefault(args []string, stdout, _ io.Writer) error {
	fs := newFlags("simrun")
	var base seedFlag
	dur := durationFlag{d: 30 * time.Second}
	workers := runtime.NumCPU()
	corpus := "corpus"
	fs.Var(&base, "base", "first seed (default: from the clock, printed)")
	fs.Var(&dur, "duration", "how long to run")
	fs.IntVar(&workers, "workers", workers, "parallel simulations")
	fs.StringVar(&corpus, "corpus", corpus, "directory for failing seed files")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if workers < 1 {
		return usagef("-workers must be at least 1, got %d", workers)
	}
	if !base.set {
		base.v = uint64(time.Now().UnixNano()) & (1<<48 - 1)
	}
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		return usagef("-corpus: %v", err)
	}
	c := &campaign{scenarios: scenarios.All(), base: base.v, shards: 1,
		duration: dur.d, workers: workers, corpus: corpus}
	fmt.Fprintf(stdout, "monsim: %d scenarios, %d workers, %s; seed base %d (rerun with -base %d)\n",
		len(c.scenarios), workers, dur.d, base.v, base.v)
	p := newProgress(stdout, dur.d)
	c.onSeed = func(o seedOutcome) {
		if o.res.Failed() {
			p.printf("FAIL %s seed %d: %s", o.scenario, o.seed, o.res.First().String())
			if o.saved != "" {
				p.printf("  replay with: simrun replay %s", o.saved)
			}
		}
		p.seed(o.res.Failed())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p.start()
	sums := c.run(ctx)
	p.stop()
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "interrupted: the table covers the seeds that finished")
	}
	failed := printTable(stdout, sums)
	if failed {
		return &exitError{code: exitViolation}
	}
	return nil
}

// printTable writes one row per scenario and reports whether any failed.
func printTable(w io.Writer, sums []*summary) bool {
	const row = "%-22s %6s %10s %8s %9s %10s %12s %7s %12s %9s %7s\n"
	fmt.Fprintf(w, row, "scenario", "seeds", "violations", "liveness", "elections", "full syncs", "recent syncs",
		"repairs", "power losses", "simulated", "speedup")
	failed := false
	for _, s := range sums {
		speedup := 0.0
		if s.wall > 0 {
			speedup = float64(s.simTime) / 1e9 / s.wall.Seconds()
		}
		n := func(v int64) string { return fmt.Sprint(v) }
		fmt.Fprintf(w, row, s.scenario, n(int64(s.seeds)), n(int64(s.violations+s.nondet)), n(int64(s.liveness)),
			n(s.counters["elections"]), n(s.counters["full_syncs"]), n(s.counters["recent_syncs"]),
			n(s.counters["repairs_completed"]), n(s.counters["power_losses"]), simDuration(s.simTime),
			fmt.Sprintf("%.0fx", speedup))
		failed = failed || s.violations+s.liveness+s.nondet > 0
	}
	return failed
}

func simDuration(ns int64) string {
	d := time.Duration(ns).Round(time.Second)
	if d >= time.Hour {
		return fmt.Sprintf("%.1fh", d.Hours())
	}
	return d.String()
}
