package campaign

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
	"github.com/monsim/monsim/sim"
)

// CrashPoint is one power cut of a crash-point sweep: right after the
// monitor's Op-th mutating filesystem operation since its path (a repair,
// or a resumed sync) began, in Mode.
type CrashPoint struct {
	Op   int64
	Mode faultfs.PowerMode
}

// CrashFailure is a crash point whose run failed.
type CrashFailure struct {
	Point         CrashPoint
	Result        *scenarios.Result
	Deterministic bool   // a second run gave the same trace hash
	Saved         string // the seed file, if saved
	SaveErr       error
}

// Crashpoints enumerates crash points along the first repair of a run, or
// its first resumed full sync: it runs the seed once, counts the monitor's
// mutating filesystem operations from repair/start to the end of its
// switch (from sync/resume-accepted to sync/finished), then re-runs it with
// power cut right after each of them, honest and torn, every checker on.
type Crashpoints struct {
	Scenario *scenarios.Scenario
	Opts     scenarios.Options
	Pool     Pool
	Corpus   string // where failing runs are saved; "" keeps none
	Resume   bool   // the path is the first resumed sync's, not the first repair's
}

// PathOf is the path a run's result measured for this sweep.
func (c *Crashpoints) PathOf(r *scenarios.Result) harness.RepairPath {
	if c.Resume {
		return r.ResumePath
	}
	return r.RepairPath
}

// Path runs the seed unperturbed and returns it with the points to cut at.
func (c *Crashpoints) Path() (*scenarios.Result, []CrashPoint) {
	first := c.Scenario.Run(c.Opts)
	var points []CrashPoint
	for op := int64(1); op <= c.PathOf(first).Ops; op++ {
		for _, mode := range []faultfs.PowerMode{faultfs.Honest, faultfs.Torn} {
			points = append(points, CrashPoint{op, mode})
		}
	}
	return first, points
}

// Run cuts power at every point of the first run's path and returns the
// failures, in point order.
func (c *Crashpoints) Run(ctx context.Context, first *scenarios.Result, points []CrashPoint) []CrashFailure {
	path := c.PathOf(first)
	results, _ := Map(ctx, c.Pool, len(points), func(i int) *CrashFailure {
		p := points[i]
		o := c.Opts
		o.Plan = cutAfter(first.Plan, path.Node, path.Start, p.Op, p.Mode)
		res := c.Scenario.Run(o)
		if !res.Failed() {
			return nil
		}
		f := &CrashFailure{Point: p, Result: res, Deterministic: c.Scenario.Run(o).TraceHash == res.TraceHash}
		if f.Deterministic && c.Corpus != "" {
			f.Saved = filepath.Join(c.Corpus, fmt.Sprintf("%s-crashpoint-%d-%s-%d.json", c.Scenario.Name, p.Op, p.Mode, o.Seed))
			f.SaveErr = seedfile.Write(f.Saved, FileOf(res, 0, ""))
		}
		return f
	})
	var out []CrashFailure
	for _, f := range results {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// cutAfter adds to plan a power cut of monitor rank right after its op-th
// mutating filesystem operation following its first pass of start (the
// path's first step).
func cutAfter(plan sim.Plan, rank int, start node.Point, op int64, mode faultfs.PowerMode) *sim.Plan {
	p := sim.Plan{Faults: slices.Clone(plan.Faults)}
	p.Faults = append(p.Faults, sim.Fault{
		On:   &sim.Trigger{Point: sim.Point(start), Node: rank, Nth: 1, AfterOps: int(op)},
		Kind: sim.FaultPowerLoss, Node: rank, Power: mode, For: 300 * sim.Millisecond,
	})
	return &p
}
