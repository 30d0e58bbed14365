package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"

	"github.com/monsim/monsim/internal/campaign"
	"github.com/monsim/monsim/internal/seedfile"
)

// cmdShrink delta-debugs a saved failure: it drops faults, clients and
// client operations for as long as the same checker still fails, then
// writes the smaller failure as a seed file that replays.
func cmdShrink(args []string, stdout, _ io.Writer) error {
	fs := newFlags("shrink")
	var out string
	workers := runtime.NumCPU()
	fs.StringVar(&out, "o", "", "where to write the shrunk seed file (default: FILE with .min.json)")
	fs.IntVar(&workers, "workers", workers, "parallel simulations")
	path, f, sc, opts, err := loadSeedFile(fs, args)
	if err != nil {
		return err
	}
	if workers < 1 {
		return usagef("shrink: -workers must be at least 1, got %d", workers)
	}
	if out == "" {
		out = strings.TrimSuffix(path, ".json") + ".min.json"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s := &campaign.Shrink{Scenario: sc, Opts: opts, Check: f.Failure.Check, Pool: campaign.Pool{Workers: workers}}
	start, shrunk, ok := s.Run(ctx, f.Plan, opts.Workload)
	if !ok {
		fmt.Fprintf(stdout, "the saved failure (%s) does not reproduce: %s\n", f.Failure.Check, start.Verdict())
		return nil
	}
	final := shrunk.Result
	if !s.Same(final) {
		return fmt.Errorf("shrink: the shrunk plan stopped failing; this is a bug in shrink")
	}
	fmt.Fprintf(stdout, "faults: %d -> %d\n", len(f.Plan.Faults), len(shrunk.Plan.Faults))
	if start.Workload != nil { // a store run has no clients
		fmt.Fprintf(stdout, "clients: %d -> %d\nclient ops: %d -> %d\n",
			start.Workload.Clients, final.Workload.Clients, sum(start.ClientOps), sum(final.ClientOps))
	}
	if err := seedfile.Write(out, campaign.FileOf(final, f.Base, f.Shard)); err != nil {
		return fmt.Errorf("shrink: %w", err)
	}
	fmt.Fprintf(stdout, "result: %s\nsaved %s (simrun replay %s) after %d runs\n", final.Verdict(), out, out, s.Runs)
	return nil
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
