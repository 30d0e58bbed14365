package scenarios

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/sim"
)

// Options select one run. The zero value of each field means the scenario's
// default.
type Options struct {
	Seed     uint64
	Monitors int       // cluster size: 3, 5 or 7; 0 means the scenario's default
	Bug      string    // a planted bug to switch on, "" for none
	Trace    io.Writer // JSON lines of every trace record, nil for none
	// Plan replaces the plan the seed would generate (replay, shrink).
	Plan *sim.Plan
	// Workload narrows the clients' work (shrink); nil means the default.
	Workload *Workload
}

// Workload is how much the clients do: how many clients there are, and how
// many operations each may issue (0: as many as time allows). Shrinking a
// failure drops clients and cuts operations through it.
type Workload struct {
	Clients int   `json:"clients"`
	MaxOps  []int `json:"max_ops,omitempty"`
}

// Scenario is a named, seeded experiment: it derives an explicit fault plan
// from the seed, runs it, and checks the outcome.
type Scenario struct {
	Name        string
	Description string
	// Generate derives the fault plan from the seed.
	Generate func(o Options) sim.Plan
	// Execute runs the plan and checks it.
	Execute func(o Options, plan sim.Plan) *Result
}

// Result is the outcome of one run.
type Result struct {
	Scenario   string
	Seed       uint64
	Bug        string
	Monitors   int
	Plan       sim.Plan
	Violations []checker.Violation
	// Unknown is set when a check could not decide within its bound.
	Unknown   string
	TraceHash uint64
	SimTime   int64
	Events    int64
	Counters  Counters
	// Note is what a passing run wants said, e.g. that a cluster whose
	// stores all broke correctly stayed unavailable.
	Note string
	// RepairPath is the first repair's filesystem path (crash-point
	// enumeration uses it).
	RepairPath RepairPath
	// History is every client operation of a cluster run, as checked for
	// linearizability, and Lin that check's result (nil for kv-crash).
	History []checker.KVOp
	Lin     *checker.LinResult
	// Workload is what the clients were allowed to do (nil for kv-crash),
	// and ClientOps how many operations each client issued.
	Workload  *Workload
	ClientOps []int
}

// damageFirst orders violations for the headline: damage a user would see
// (a non-linearizable history, a lost or forked write) before the
// invariant breaches that explain it, each group in detection order.
func damageFirst(vs []checker.Violation) {
	rank := func(v checker.Violation) int {
		switch v.Checker {
		case "linearizability", "ledger":
			return 0
		}
		return 1
	}
	slices.SortStableFunc(vs, func(a, b checker.Violation) int { return rank(a) - rank(b) })
}

// Failed reports whether any check was violated.
func (r *Result) Failed() bool { return len(r.Violations) > 0 }

// Verdict is the first line a run prints: "PASS", "FAIL <checker>: <reason>"
// or "UNKNOWN <why>".
func (r *Result) Verdict() string {
	switch {
	case r.Failed():
		v := r.Violations[0]
		return "FAIL " + v.String()
	case r.Unknown != "":
		return "UNKNOWN " + r.Unknown
	}
	return "PASS"
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

// ErrUnknownScenario is returned for a name not in the catalog.
var ErrUnknownScenario = errors.New("unknown scenario")

var catalog []*Scenario

func register(s *Scenario) { catalog = append(catalog, s) }

// All returns every scenario, sorted by name.
func All() []*Scenario {
	out := slices.Clone(catalog)
	slices.SortFunc(out, func(a, b *Scenario) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup finds a scenario by name.
func Lookup(name string) (*Scenario, error) {
	for _, s := range catalog {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w %q (simrun list shows them)", ErrUnknownScenario, name)
}

// Run generates the seed's plan (unless o.Plan is set) and executes it.
func (s *Scenario) Run(o Options) *Result {
	var plan sim.Plan
	if o.Plan != nil {
		plan = *o.Plan
	} else {
		plan = s.Generate(o)
	}
	r := s.Execute(o, plan)
	r.Scenario, r.Seed, r.Bug, r.Plan = s.Name, o.Seed, o.Bug, plan
	if r.Workload == nil {
		r.Workload = o.Workload
	}
	damageFirst(r.Violations)
	return r
}
