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
// fresh seeds, on every core, for a bounded time.
func cmdDefault(args []string, stdout, _ io.Writer) error {
	fs := newFlags("simrun")
	var base seedFlag
	dur := durationFlag{d: 30 * time.Second}
	workers := runtime.NumCPU()
	fs.Var(&base, "base", "first seed (default: from the clock, printed)")
	fs.Var(&dur, "duration", "how long to run")
	fs.IntVar(&workers, "workers", workers, "parallel simulations")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if workers < 1 {
		return usagef("-workers must be at least 1, got %d", workers)
	}
	if !base.set {
		base.v = uint64(time.Now().UnixNano()) & (1<<48 - 1)
	}
	c := &campaign{
		scenarios: scenarios.All(), base: base.v, shards: 1,
		duration: dur.d, workers: workers, corpus: "",
	}
	fmt.Fprintf(stdout, "seed base %d (reuse with -base %d); %d scenarios, %d workers, %s\n",
		base.v, base.v, len(c.scenarios), workers, dur.d)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sums := c.run(ctx)
	failed := false
	for _, s := range sums {
		fmt.Fprintf(stdout, "%-24s seeds=%d violations=%d liveness=%d sim=%.0fs wall=%.1fs\n",
			s.scenario, s.seeds, s.violations, s.liveness, float64(s.simTime)/1e9, s.wall.Seconds())
		failed = failed || s.violations+s.liveness+s.nondet > 0
	}
	if failed {
		return &exitError{code: exitViolation}
	}
	return nil
}
