package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"

	"github.com/monsim/monsim/internal/campaign"
)

// cmdCrashpoints enumerates crash points along a repair, or a resumed full
// sync: it runs the scenario once, counts the monitor's mutating filesystem
// operations from repair/start to the end of its switch (from
// sync/resume-accepted to sync/finished), then re-runs it with power cut
// right after each of them, honest and torn, every checker on.
func cmdCrashpoints(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("crashpoints")
	rf := runFlags{collectors: -1}
	seed := seedFlag{v: 1}
	workers := runtime.NumCPU()
	var corpus string
	path := "repair"
	fs.StringVar(&rf.scenario, "scenario", "", "a scenario in which a store breaks and is repaired (or a full sync is resumed)")
	fs.StringVar(&path, "path", path, "the path to cut along: repair (the first repair) or resume (the first resumed full sync)")
	fs.Var(&seed, "seed", "seed of the run to enumerate (default 1)")
	fs.StringVar(&rf.bug, "bug", "", "planted bug to switch on")
	rf.registerCluster(fs)
	rf.registerPageRepair(fs)
	fs.IntVar(&workers, "workers", workers, "parallel simulations")
	fs.StringVar(&corpus, "corpus", "corpus", "directory for failing seed files")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if rf.scenario == "" {
		return usagef("crashpoints: needs -scenario S")
	}
	if workers < 1 {
		return usagef("crashpoints: -workers must be at least 1, got %d", workers)
	}
	if path != "repair" && path != "resume" {
		return usagef("crashpoints: -path must be repair or resume, got %q", path)
	}
	sc, opts, err := rf.resolve()
	if err != nil {
		return err
	}
	opts.Seed = seed.v
	c := &campaign.Crashpoints{Scenario: sc, Opts: opts, Pool: campaign.Pool{Workers: workers}, Corpus: corpus, Resume: path == "resume"}
	first, points := c.Path()
	if first.Failed() {
		fmt.Fprintf(stdout, "the unperturbed run already fails: %s\n", first.Verdict())
		return &exitError{code: exitViolation}
	}
	p := c.PathOf(first)
	if p.Node < 0 || p.Ops == 0 {
		what := "repair"
		if c.Resume {
			what = "resumed full sync"
		}
		return usagef("crashpoints: %s seed %d completes no %s: nothing to enumerate", sc.Name, seed.v, what)
	}
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		return usagef("crashpoints: -corpus: %v", err)
	}
	if c.Resume {
		fmt.Fprintf(stdout, "resume path: monitor %d, %d filesystem operations from %s to sync/finished\n", p.Node, p.Ops, p.Start)
	} else {
		fmt.Fprintf(stdout, "repair path: monitor %d, %d filesystem operations from %s to the end of the repair\n", p.Node, p.Ops, p.Start)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	failed := c.Run(ctx, first, points)
	for _, f := range failed {
		fmt.Fprintf(stdout, "FAIL power cut (%s) after operation %d: %s\n", f.Point.Mode, f.Point.Op, f.Result.First().String())
		switch {
		case !f.Deterministic:
			fmt.Fprintln(stdout, "  NONDETERMINISTIC: a second run gave another trace hash")
		case f.SaveErr != nil:
			fmt.Fprintf(stderr, "simrun: saving %s: %v\n", f.Saved, f.SaveErr)
		case f.Saved != "":
			fmt.Fprintln(stdout, "  saved "+f.Saved)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "interrupted: the counts cover the points that ran")
	}
	fmt.Fprintf(stdout, "crash-points: %d\nfailures: %d\n", len(points), len(failed))
	if len(failed) > 0 {
		return &exitError{code: exitViolation}
	}
	return nil
}
