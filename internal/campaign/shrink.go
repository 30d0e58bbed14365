package campaign

import (
	"context"
	"slices"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/scenarios"
	"github.com/monsim/monsim/sim"
)

// Shrink delta-debugs a failure: it drops faults (ddmin), then clients,
// then client operations, for as long as the same checker still fails.
// ddmin tries the candidates of a round on the pool at once and keeps the
// first, in order, that still fails, so the answer does not depend on how
// many workers there are.
type Shrink struct {
	Scenario *scenarios.Scenario
	Opts     scenarios.Options // seed, bug, monitors; Plan and Workload are set per run
	Check    checker.Name      // the checker the failure must keep failing
	Pool     Pool
	// Runs counts the simulations so far.
	Runs int
}

// Shrunk is what Shrink found: the smallest plan and workload that still
// fail, and the run that proves it.
type Shrunk struct {
	Plan     sim.Plan
	Workload *harness.Workload
	Result   *scenarios.Result
}

// Run shrinks plan and workload w. It returns false if the failure does
// not reproduce to begin with.
func (s *Shrink) Run(ctx context.Context, plan sim.Plan, w *harness.Workload) (start *scenarios.Result, out Shrunk, ok bool) {
	start = s.run(plan, w)
	if !s.Same(start) {
		return start, Shrunk{}, false
	}
	if start.Workload != nil {
		w = &harness.Workload{Clients: start.Workload.Clients, MaxOps: slices.Clone(start.ClientOps)}
	}
	plan = sim.Plan{Faults: s.ddmin(ctx, plan.Faults, w)}
	w = s.fewerClients(plan, w)
	w = s.fewerOps(plan, w)
	return start, Shrunk{Plan: plan, Workload: w, Result: s.run(plan, w)}, true
}

func (s *Shrink) run(plan sim.Plan, w *harness.Workload) *scenarios.Result {
	s.Runs++
	o := s.Opts
	o.Plan, o.Workload = &plan, w
	return s.Scenario.Run(o)
}

// Same reports whether a run fails with the checker the saved one did.
func (s *Shrink) Same(r *scenarios.Result) bool { return r.Failed() && r.First().Checker == s.Check }

// ddmin is Zeller's delta debugging: the smallest subset of faults it can
// find (1-minimal) that still fails the same way.
func (s *Shrink) ddmin(ctx context.Context, faults []sim.Fault, w *harness.Workload) []sim.Fault {
	n := 2
	for len(faults) >= 2 && ctx.Err() == nil {
		chunks := split(faults, n)
		fails, done := Map(ctx, s.Pool, len(chunks), func(i int) bool {
			return s.Same(s.Scenario.Run(s.withPlan(without(chunks, i), w)))
		})
		s.Runs += len(chunks)
		i := slices.IndexFunc(fails, func(f bool) bool { return f })
		if i >= 0 && done[i] {
			faults, n = without(chunks, i), max(n-1, 2)
			continue
		}
		if n >= len(faults) {
			break
		}
		n = min(2*n, len(faults))
	}
	if len(faults) == 1 && s.Same(s.run(sim.Plan{}, w)) {
		return nil
	}
	return faults
}

func (s *Shrink) withPlan(faults []sim.Fault, w *harness.Workload) scenarios.Options {
	o := s.Opts
	o.Plan, o.Workload = &sim.Plan{Faults: faults}, w
	return o
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
func (s *Shrink) fewerClients(plan sim.Plan, w *harness.Workload) *harness.Workload {
	for w != nil && w.Clients > 1 {
		try := &harness.Workload{Clients: w.Clients - 1, MaxOps: slices.Clone(w.MaxOps[:min(len(w.MaxOps), w.Clients-1)])}
		if !s.Same(s.run(plan, try)) {
			break
		}
		w = try
	}
	return w
}

// fewerOps lowers each client's operation cap, by bisection, while the
// failure holds.
func (s *Shrink) fewerOps(plan sim.Plan, w *harness.Workload) *harness.Workload {
	if w == nil {
		return nil
	}
	w = &harness.Workload{Clients: w.Clients, MaxOps: slices.Clone(w.MaxOps)}
	for i := range w.MaxOps {
		lo, hi := 0, w.MaxOps[i] // a cap of hi fails; find the smallest that does
		for lo+1 < hi {
			mid := (lo + hi) / 2
			w.MaxOps[i] = mid
			if s.Same(s.run(plan, w)) {
				hi = mid
			} else {
				lo = mid
			}
		}
		w.MaxOps[i] = max(hi, 1)
	}
	return w
}
