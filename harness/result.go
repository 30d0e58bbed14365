package harness

import (
	"slices"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/node"
)

// Result is the outcome of one run.
type Result struct {
	Monitors   int
	Collectors int
	Violations []checker.Violation
	// Unknown is set when a check could not decide within its bound.
	Unknown   string
	TraceHash uint64
	SimTime   int64
	Events    int64
	Counters  Counters
	// Probes counts the code probes the system under test reached, by name
	// (node.CodeProbes lists them all; those never reached are absent).
	Probes Counters
	// Note is what a passing run wants said, e.g. that a cluster whose
	// stores all broke correctly stayed unavailable.
	Note string
	// RepairPath is the first repair's filesystem path, and ResumePath
	// the first resumed full sync's (crash-point enumeration uses them).
	RepairPath, ResumePath RepairPath
	// History is every client operation of a cluster run, as checked for
	// linearizability, and Lin that check's result (nil for a store run).
	History []checker.KVOp
	Lin     *checker.LinResult
	// Workload is what the clients were allowed to do (nil for a store
	// run), and ClientOps how many operations each client issued.
	Workload  *Workload
	ClientOps []int
}

// RepairPath is the first repair of a run: which monitor, the probe point
// it started at (node.PointRepairStart for a whole-store repair,
// node.PointPageRepairStart for a page repair), and how many mutating
// filesystem operations it made until it was done (the end of the switch,
// or page/done; 0 if it never finished). StartAt, DoneAt and RejoinAt are
// when it started, finished, and the monitor was next in a quorum (0:
// never). It also measures the first resumed sync: from
// sync/resume-accepted to sync/finished (no RejoinAt).
type RepairPath struct {
	Node                      int
	Start                     node.Point
	startOps                  int64
	Ops                       int64
	StartAt, DoneAt, RejoinAt int64
}

// Failed reports whether any check was violated.
func (r *Result) Failed() bool { return len(r.Violations) > 0 }

// First is the headline violation; only valid when Failed.
func (r *Result) First() checker.Violation { return r.Violations[0] }

// Verdict is the first line a run prints: "PASS", "FAIL <checker>: <reason>"
// or "UNKNOWN <why>".
func (r *Result) Verdict() string {
	switch {
	case r.Failed():
		return "FAIL " + r.First().String()
	case r.Unknown != "":
		return "UNKNOWN " + r.Unknown
	}
	return "PASS"
}

// damageFirst orders violations for the headline: damage a user would see
// (a non-linearizable history, a lost or forked write) before the
// invariant breaches that explain it, each group in detection order.
func damageFirst(vs []checker.Violation) {
	rank := func(v checker.Violation) int {
		if v.Checker.Damage() {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(vs, func(a, b checker.Violation) int { return rank(a) - rank(b) })
}

// Counters are named event counts of a run, reported in fuzz summaries.
type Counters map[string]int64

// Names returns the counter names in sorted order.
func (c Counters) Names() []string {
	names := make([]string, 0, len(c))
	for n := range c { //detlint:order-independent the names are sorted before use
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// planError is the result of a plan that cannot run.
func planError(err error) *Result {
	return &Result{Violations: []checker.Violation{{Checker: checker.NamePlan, Node: -1, Reason: err.Error()}}}
}
