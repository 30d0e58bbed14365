package scenarios

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// Options select one run of a scenario. The zero value of each field means
// the scenario's default.
type Options struct {
	Seed     uint64
	Monitors int // cluster size: 3, 5 or 7; 0 means the scenario's default
	// Collectors is how many collectors run beside the monitors: 0 means
	// the scenario's default, NoCollectors none.
	Collectors int
	Bug        node.Bug  // a planted bug to switch on, "" for none
	Trace      io.Writer // JSON lines of every trace record, nil for none
	// Plan replaces the plan the seed would generate (replay, shrink). It
	// is the fault phase only; a cluster run adds its heal phase.
	Plan *sim.Plan
	// Workload narrows the clients' work (shrink); nil means the default.
	Workload *harness.Workload
	// NoPageRepair turns the monitors' page repair off: damaged pages are
	// repaired by rebuilding the whole store (simrun -page-repair=false).
	NoPageRepair bool
}

// Scenario is a named, seeded experiment: it derives an explicit fault plan
// from the seed and chooses the harness's options. The harness runs it and
// checks the outcome.
type Scenario struct {
	Name        string
	Description string
	// Generate derives the fault phase's plan from the seed.
	Generate func(o Options) sim.Plan
	// execute runs a plan under the harness.
	execute func(o Options, plan sim.Plan) *harness.Result
	// monitors is the cluster size the scenario runs at: 0 for a store
	// run, which has no monitors; collectors how many collectors run
	// beside them.
	monitors, collectors func(o Options) int
}

// NoCollectors in Options.Collectors runs no collector at all.
const NoCollectors = -1

// Result is the outcome of one run of a scenario: the harness's result and
// what was run.
type Result struct {
	*harness.Result
	Scenario string
	Seed     uint64
	Bug      node.Bug
	// Plan is the fault phase that ran (a cluster run adds its heal phase).
	Plan sim.Plan
	// NoPageRepair: the run had page repair off.
	NoPageRepair bool
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

// Store reports whether the scenario runs one store rather than a cluster
// (its seed files say 1 monitor, and no -monitors applies).
func (s *Scenario) Store() bool { return s.monitors(Options{}) == 0 }

// CheckPlan validates a plan for this scenario before it runs: unknown
// probe points, targets, modes and nodes are errors.
func (s *Scenario) CheckPlan(o Options, p sim.Plan) error {
	if n := s.monitors(o); n > 0 {
		return harness.CheckPlan(p, n, s.collectors(o))
	}
	return p.Validate(harness.StoreVocabulary())
}

// Run generates the seed's plan (unless o.Plan is set) and executes it.
func (s *Scenario) Run(o Options) *Result {
	var plan sim.Plan
	if o.Plan != nil {
		plan = *o.Plan
	} else {
		plan = s.Generate(o)
	}
	return &Result{Result: s.execute(o, plan), Scenario: s.Name, Seed: o.Seed, Bug: o.Bug, Plan: plan, NoPageRepair: o.NoPageRepair}
}
