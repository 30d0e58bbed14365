package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/monsim/monsim/internal/campaign"
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
	c := &campaign.Fuzz{Scenarios: scenarios.All(), Base: base.v, Shards: 1,
		Duration: dur.d, Pool: campaign.Pool{Workers: workers}, Corpus: corpus}
	fmt.Fprintf(stdout, "monsim: %d scenarios, %d workers, %s; seed base %d (rerun with -base %d)\n",
		len(c.Scenarios), workers, dur.d, base.v, base.v)
	p := newProgress(stdout, dur.d)
	c.OnSeed = func(o campaign.Outcome) {
		if o.Res.Failed() {
			p.printf("FAIL %s seed %d: %s", o.Scenario, o.Seed, o.Res.First().String())
			if o.Saved != "" {
				p.printf("  replay with: simrun replay %s", o.Saved)
			}
		}
		p.seed(o.Res.Failed())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p.start()
	sums := c.Run(ctx)
	p.stop()
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "interrupted: the table covers the seeds that finished")
	}
	failed := printTable(stdout, sums)
	reportNeverReached(stdout, nil, false, campaign.NeverReached(sums))
	if failed {
		return &exitError{code: exitViolation}
	}
	return nil
}

// printTable writes one row per scenario and reports whether any failed.
func printTable(w io.Writer, sums []*campaign.Summary) bool {
	const row = "%-22s %6s %10s %8s %9s %10s %12s %7s %12s %9s %7s\n"
	fmt.Fprintf(w, row, "scenario", "seeds", "violations", "liveness", "elections", "full syncs", "recent syncs",
		"repairs", "power losses", "simulated", "speedup")
	failed := false
	for _, s := range sums {
		speedup := 0.0
		if s.Wall > 0 {
			speedup = float64(s.SimTime) / 1e9 / s.Wall.Seconds()
		}
		n := func(v int64) string { return fmt.Sprint(v) }
		fmt.Fprintf(w, row, s.Scenario, n(int64(s.Seeds)), n(int64(s.Violations+s.Nondet)), n(int64(s.Liveness)),
			n(s.Counters["elections"]), n(s.Counters["full_syncs"]), n(s.Counters["recent_syncs"]),
			n(s.Counters["repairs_completed"]), n(s.Counters["power_losses"]), simDuration(s.SimTime),
			fmt.Sprintf("%.0fx", speedup))
		failed = failed || s.Violations+s.Liveness+s.Nondet > 0
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
