package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// cmdCrashpoints enumerates crash points along a repair: it runs the
// scenario once, counts the repairing monitor's mutating filesystem
// operations from repair/start to the end of its switch, then re-runs it
// with power cut right after each of them, honest and torn, every checker
// on.
func cmdCrashpoints(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("crashpoints")
	var rf runFlags
	seed := seedFlag{v: 1}
	workers := runtime.NumCPU()
	var corpus string
	fs.StringVar(&rf.scenario, "scenario", "", "a scenario in which a store breaks and is repaired")
	fs.Var(&seed, "seed", "seed of the run to enumerate (default 1)")
	fs.StringVar(&rf.bug, "bug", "", "planted bug to switch on")
	fs.IntVar(&rf.monitors, "monitors", 0, "cluster size (3, 5 or 7)")
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
	sc, opts, err := rf.resolve()
	if err != nil {
		return err
	}
	opts.Seed = seed.v
	first := sc.Run(opts)
	if first.Failed() {
		fmt.Fprintf(stdout, "the unperturbed run already fails: %s\n", first.Verdict())
		return &exitError{code: exitViolation}
	}
	path := first.RepairPath
	if path.Node < 0 || path.Ops == 0 {
		return usagef("crashpoints: %s seed %d completes no repair: nothing to enumerate", sc.Name, seed.v)
	}
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		return usagef("crashpoints: -corpus: %v", err)
	}
	fmt.Fprintf(stdout, "repair path: monitor %d, %d filesystem operations from repair/start to the end of the switch\n", path.Node, path.Ops)

	type point struct {
		op   int64
		mode faultfs.PowerMode
	}
	var points []point
	for op := int64(1); op <= path.Ops; op++ {
		for _, mode := range []faultfs.PowerMode{faultfs.Honest, faultfs.Torn} {
			points = append(points, point{op, mode})
		}
	}
	failures := make([]string, len(points))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := points[i]
				o := opts
				o.Plan = cutAfter(first.Plan, path.Node, p.op, p.mode)
				res := sc.Run(o)
				if !res.Failed() {
					continue
				}
				line := fmt.Sprintf("FAIL power cut (%s) after operation %d: %s", p.mode, p.op, res.First().String())
				if again := sc.Run(o); again.TraceHash == res.TraceHash {
					file := filepath.Join(corpus, fmt.Sprintf("%s-crashpoint-%d-%s-%d.json", sc.Name, p.op, p.mode, seed.v))
					if err := seedfile.Write(file, seedFileOf(res, 0, "")); err != nil {
						fmt.Fprintf(stderr, "simrun: saving %s: %v\n", file, err)
					} else {
						line += "\n  saved " + file
					}
				} else {
					line += "\n  NONDETERMINISTIC: a second run gave another trace hash"
				}
				failures[i] = line
			}
		}()
	}
	for i := range points {
		next <- i
	}
	close(next)
	wg.Wait()
	failed := slices.DeleteFunc(failures, func(s string) bool { return s == "" })
	for _, f := range failed {
		fmt.Fprintln(stdout, f)
	}
	fmt.Fprintf(stdout, "crash-points: %d\nfailures: %d\n", len(points), len(failed))
	if len(failed) > 0 {
		return &exitError{code: exitViolation}
	}
	return nil
}

// cutAfter adds to plan a power cut of node right after its op-th mutating
// filesystem operation following its first repair/start.
func cutAfter(plan sim.Plan, rank int, op int64, mode faultfs.PowerMode) *sim.Plan {
	p := sim.Plan{Faults: slices.Clone(plan.Faults)}
	p.Faults = append(p.Faults, sim.Fault{
		On:   &sim.Trigger{Point: sim.Point(node.PointRepairStart), Node: rank, Nth: 1, AfterOps: int(op)},
		Kind: sim.FaultPowerLoss, Node: rank, Power: mode, For: 300 * sim.Millisecond,
	})
	return &p
}
