package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/scenarios"
	"github.com/monsim/monsim/sim"
)

// cmdShrink delta-debugs a saved failure: it drops faults, clients and
// client operations for as long as the same checker still fails, then
// writes the smaller failure as a seed file that replays.
func cmdShrink(args []string, stdout, _ io.Writer) error {
	fs := newFlags("shrink")
	var out string
	fs.StringVar(&out, "o", "", "where to write the shrunk seed file (default: FILE with .min.json)")
	path, f, sc, opts, err := loadSeedFile(fs, args)
	if err != nil {
		return err
	}
	if out == "" {
		out = strings.TrimSuffix(path, ".json") + ".min.json"
	}
	s := &shrinker{sc: sc, opts: opts, check: f.Failure.Check}
	start := s.run(f.Plan, s.workload(nil))
	if !s.same(start) {
		fmt.Fprintf(stdout, "the saved failure (%s) does not reproduce: %s\n", f.Failure.Check, start.Verdict())
		return nil
	}
	w0 := s.workload(start)
	plan := sim.Plan{Faults: s.ddmin(f.Plan.Faults, w0)}
	w := s.fewerClients(plan, w0)
	w = s.fewerOps(plan, w)
	final := s.run(plan, w)
	if !s.same(final) {
		return fmt.Errorf("shrink: the shrunk plan stopped failing; this is a bug in shrink")
	}
	fmt.Fprintf(stdout, "faults: %d -> %d\nclients: %d -> %d\nclient ops: %d -> %d\n",
		len(f.Plan.Faults), len(plan.Faults), w0.Clients, w.Clients, sum(start.ClientOps), sum(final.ClientOps))
	file := seedFileOf(final, f.Base, f.Shard)
	if err := seedfile.Write(out, file); err != nil {
		return fmt.Errorf("shrink: %w", err)
	}
	fmt.Fprintf(stdout, "result: %s\nsaved %s (simrun replay %s)\n", final.Verdict(), out, out)
	return nil
}

type shrinker struct {
	sc    *scenarios.Scenario
	opts  scenarios.Options
	check checker.Name
	runs  int
}

func (s *shrinker) run(plan sim.Plan, w *harness.Workload) *scenarios.Result {
	s.runs++
	o := s.opts
	o.Plan, o.Workload = &plan, w
	return s.sc.Run(o)
}

// same reports whether a run fails with the checker the saved one did.
func (s *shrinker) same(r *scenarios.Result) bool {
	return r.Failed() && r.First().Checker == s.check
}

// workload is the workload a result ran with, with every client's cap set
// to what it issued, so caps can only shrink from there.
func (s *shrinker) workload(r *scenarios.Result) *harness.Workload {
	if r == nil {
		return s.opts.Workload
	}
	if r.Workload == nil {
		return nil // not a cluster scenario: no clients to shrink
	}
	return &harness.Workload{Clients: r.Workload.Clients, MaxOps: slices.Clone(r.ClientOps)}
}

// ddmin is Zeller's delta debugging: the smallest subset of faults it can
// find (1-minimal) that still fails the same way.
func (s *shrinker) ddmin(faults []sim.Fault, w *harness.Workload) []sim.Fault {
	n := 2
	for len(faults) >= 2 {
		chunks := split(faults, n)
		reduced := false
		for i := range chunks {
			complement := without(chunks, i)
			if s.same(s.run(sim.Plan{Faults: complement}, w)) {
				faults, n, reduced = complement, max(n-1, 2), true
				break
			}
		}
		if !reduced {
			if n >= len(faults) {
				break
			}
			n = min(2*n, len(faults))
		}
	}
	if len(faults) == 1 && s.same(s.run(sim.Plan{}, w)) {
		return nil
	}
	return faults
}

func split(faults []sim.Fault, n int) [][]sim.Fault {
	var out [][]sim.Fault
	for i := range n {
		lo, hi := i*len(faults)/n, (i+1)*len(faults)/n
		if hi > lo {
			out = append(out, faults[lo:hi])
		}
	}
	return out
}

func without(chunks [][]sim.Fault, skip int) []sim.Fault {
	var out []sim.Fault
	for i, c := range chunks {
		if i != skip {
			out = append(out, c...)
		}
	}
	return out
}

// fewerClients drops clients from the end while the failure holds.
func (s *shrinker) fewerClients(plan sim.Plan, w *harness.Workload) *harness.Workload {
	for w != nil && w.Clients > 1 {
		try := &harness.Workload{Clients: w.Clients - 1, MaxOps: slices.Clone(w.MaxOps[:min(len(w.MaxOps), w.Clients-1)])}
		if !s.same(s.run(plan, try)) {
			break
		}
		w = try
	}
	return w
}

// fewerOps lowers each client's operation cap, by bisection, while the
// failure holds.
func (s *shrinker) fewerOps(plan sim.Plan, w *harness.Workload) *harness.Workload {
	if w == nil {
		return nil
	}
	w = &harness.Workload{Clients: w.Clients, MaxOps: slices.Clone(w.MaxOps)}
	for i := range w.MaxOps {
		lo, hi := 0, w.MaxOps[i] // a cap of hi fails; find the smallest that does
		for lo+1 < hi {
			mid := (lo + hi) / 2
			w.MaxOps[i] = mid
			if s.same(s.run(plan, w)) {
				hi = mid
			} else {
				lo = mid
			}
		}
		w.MaxOps[i] = max(hi, 1)
	}
	return w
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
