package main

import (
	"flag"

	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/scenarios"
)

// loadSeedFile parses a command's flags and its one argument, a seed file,
// and returns the run that file describes. Any problem is bad input.
func loadSeedFile(fs *flag.FlagSet, args []string) (string, *seedfile.File, *scenarios.Scenario, scenarios.Options, error) {
	var opts scenarios.Options
	pos, err := parseFlags(fs, reorder(args), 1)
	if err != nil {
		return "", nil, nil, opts, err
	}
	if len(pos) != 1 {
		return "", nil, nil, opts, usagef("%s: needs one seed file", fs.Name())
	}
	f, err := seedfile.Read(pos[0])
	if err != nil {
		return "", nil, nil, opts, usagef("%s: %v", fs.Name(), err)
	}
	sc, opts, err := optionsOf(f)
	if err != nil {
		return "", nil, nil, opts, usagef("%s: %s: %v", fs.Name(), pos[0], err)
	}
	return pos[0], f, sc, opts, nil
}

// optionsOf turns a seed file back into the run it describes.
func optionsOf(f *seedfile.File) (*scenarios.Scenario, scenarios.Options, error) {
	monitors := f.Monitors
	if sc, err := scenarios.Lookup(f.Scenario); err == nil && sc.Store() && monitors <= 1 {
		monitors = 0 // a store run has its one store, not a cluster size
	}
	// A file saved before collectors existed records a run without any.
	collectors := 0
	if f.Collectors != nil {
		collectors = *f.Collectors
	}
	sc, opts, err := (&runFlags{scenario: f.Scenario, bug: string(f.Bug), monitors: monitors, collectors: collectors, noPageRepair: f.NoPageRepair}).resolve()
	if err != nil {
		return nil, opts, err
	}
	if err := sc.CheckPlan(opts, f.Plan); err != nil {
		return nil, opts, usagef("%v", err)
	}
	opts.Seed, opts.Plan = f.Seed, &f.Plan
	if w := f.Workload; w != nil {
		if w.Clients < 1 || len(w.MaxOps) > w.Clients {
			return nil, opts, usagef("workload: %d clients with %d op limits", w.Clients, len(w.MaxOps))
		}
		opts.Workload = w
	}
	return sc, opts, nil
}
