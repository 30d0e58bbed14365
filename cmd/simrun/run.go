package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

// runFlags are the flags shared by run and the fuzz-like commands.
type runFlags struct {
	scenario     string
	bug          string
	monitors     int
	collectors   int // -1: the scenario's default
	noPageRepair bool
}

// maxCollectors bounds -collectors.
const maxCollectors = 16

// registerCluster adds the flags that size the cluster.
func (rf *runFlags) registerCluster(fs *flag.FlagSet) {
	fs.IntVar(&rf.monitors, "monitors", 0, "cluster size (3, 5 or 7)")
	fs.IntVar(&rf.collectors, "collectors", -1, "collectors beside the monitors, 0 to 16 (default: the scenario's)")
}

// registerPageRepair adds -page-repair (default true): -page-repair=false
// runs the monitors with page repair off.
func (rf *runFlags) registerPageRepair(fs *flag.FlagSet) {
	fs.Var(offSwitch{&rf.noPageRepair}, "page-repair", "repair damaged pages one by one (false: rebuild the whole store)")
}

// offSwitch is a boolean flag that holds its negation: a feature that is on
// unless switched off.
type offSwitch struct{ off *bool }

func (o offSwitch) String() string {
	if o.off == nil {
		return "true"
	}
	return strconv.FormatBool(!*o.off)
}

func (o offSwitch) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("must be true or false, got %q", v)
	}
	*o.off = !b
	return nil
}

func (o offSwitch) IsBoolFlag() bool { return true }

func cmdRun(args []string, stdout, _ io.Writer) error {
	fs := newFlags("run")
	rf := runFlags{collectors: -1}
	var seed seedFlag
	var out outputs
	var verbose bool
	fs.StringVar(&rf.scenario, "scenario", "", "scenario name")
	fs.Var(&seed, "seed", "run seed (non-negative integer)")
	fs.StringVar(&rf.bug, "bug", "", "planted bug to switch on")
	rf.registerCluster(fs)
	rf.registerPageRepair(fs)
	out.register(fs)
	fs.BoolVar(&verbose, "v", false, "print every violation and the counters")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if rf.scenario == "" || !seed.set {
		return usagef("run: needs -scenario S and -seed N")
	}
	sc, opts, err := rf.resolve()
	if err != nil {
		return err
	}
	opts.Seed = seed.v
	res, err := out.run("run", sc, opts)
	if err != nil {
		return err
	}
	printResult(stdout, res, verbose)
	return verdictError(res)
}

// resolve checks the names and numbers and builds scenario options.
func (rf *runFlags) resolve() (*scenarios.Scenario, scenarios.Options, error) {
	sc, err := scenarios.Lookup(rf.scenario)
	if err != nil {
		return nil, scenarios.Options{}, usagef("%v", err)
	}
	if _, err := node.LookupBug(node.Bug(rf.bug)); err != nil && rf.bug != "" {
		return nil, scenarios.Options{}, usagef("%v", err)
	}
	switch rf.monitors {
	case 0, 3, 5, 7:
	default:
		return nil, scenarios.Options{}, usagef("-monitors must be 3, 5 or 7, got %d", rf.monitors)
	}
	opts := scenarios.Options{Bug: node.Bug(rf.bug), Monitors: rf.monitors, NoPageRepair: rf.noPageRepair}
	switch {
	case rf.collectors == 0:
		opts.Collectors = scenarios.NoCollectors
	case rf.collectors > 0 && rf.collectors <= maxCollectors:
		opts.Collectors = rf.collectors
	case rf.collectors != -1:
		return nil, opts, usagef("-collectors must be 0 to %d, got %d", maxCollectors, rf.collectors)
	}
	return sc, opts, nil
}

func printResult(w io.Writer, res *scenarios.Result, verbose bool) {
	if verbose {
		for _, v := range res.Violations {
			fmt.Fprintln(w, "violation:", v.String())
		}
		for _, n := range res.Counters.Names() {
			fmt.Fprintf(w, "counter: %s=%d\n", n, res.Counters[n])
		}
		fmt.Fprintf(w, "events: %d, simulated time: %.3fs\n", res.Events, float64(res.SimTime)/1e9)
	}
	if res.Note != "" && !res.Failed() {
		fmt.Fprintln(w, "note: "+res.Note)
	}
	fmt.Fprintln(w, "result: "+res.Verdict())
	fmt.Fprintf(w, "trace-hash: %016x\n", res.TraceHash)
}

func verdictError(res *scenarios.Result) error {
	switch {
	case res.Failed():
		return &exitError{code: exitViolation}
	case res.Unknown != "":
		return &exitError{code: exitUnknown}
	}
	return nil
}
