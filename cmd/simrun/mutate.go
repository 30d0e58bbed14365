package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/monsim/monsim/internal/atomicfile"
	"github.com/monsim/monsim/internal/mutate"
)

// mutateFlags are simrun mutate's settings.
type mutateFlags struct {
	n            int
	seed, base   seedFlag
	runTime      durationFlag
	survivorTime durationFlag
	grace        durationFlag
	workers      int
	out          string
	equivalent   string
	ops          string
	pkgs         string
	files        string
	scenario     string
	list         bool
	baseline     bool
}

// cmdMutate is mutation testing with the campaign as the oracle: every
// mutant of the monitor is built into its own simrun, which then fuzzes
// itself for a fixed time; a mutant no seed catches is a blind spot.
// inertCalls change nothing the monitor does: probe points (Env.Point and
// the store's point) only give the harness a place to cut power, code
// probes (reached) only count, and the store's error constructors only
// word a message whose text nothing reads.
var inertCalls = []string{"Point", "point", "reached", "Reached", "corruptf", "ioErr"}

func cmdMutate(args []string, stdout, stderr io.Writer) error {
	fl := mutateFlags{seed: seedFlag{v: 1}, base: seedFlag{v: 1}}
	fl.runTime.d, fl.grace.d = 60*time.Second, 30*time.Second
	fs := newFlags("mutate")
	fs.IntVar(&fl.n, "n", 0, "judge a sample of this many mutants (0: all)")
	fs.Var(&fl.seed, "seed", "seed of the sample")
	fs.Var(&fl.base, "base", "first seed of each oracle campaign")
	fs.Var(&fl.runTime, "time", "oracle campaign per mutant")
	fs.Var(&fl.survivorTime, "survivor-time", "re-run survivors with this longer campaign (0: no re-run)")
	fs.Var(&fl.grace, "grace", "how long past its time an oracle may run before it counts as hung")
	fs.IntVar(&fl.workers, "workers", runtime.NumCPU(), "mutants judged in parallel (each oracle uses one core)")
	fs.StringVar(&fl.out, "o", "mutate-report.md", "write the report (markdown) to this file")
	fs.StringVar(&fl.equivalent, "equivalent", "", "file of known-equivalent mutant ids, one per line with a one-line argument")
	fs.StringVar(&fl.ops, "ops", "all", "operators, comma-separated: "+strings.Join(opNames(), ","))
	fs.StringVar(&fl.pkgs, "pkgs", "./node/...", "packages to mutate (non-test files), space-separated patterns")
	fs.StringVar(&fl.files, "files", "", "only files matching these comma-separated globs, e.g. node/paxos.go,node/kvstore/*")
	fs.StringVar(&fl.scenario, "scenario", "all", "the oracle campaign's -scenario")
	fs.BoolVar(&fl.list, "list", false, "print every selected mutant (id and change) and exit")
	fs.BoolVar(&fl.baseline, "baseline", true, "first check that the unmutated build passes the oracle")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	switch {
	case fl.n < 0:
		return usagef("mutate: -n must not be negative, got %d", fl.n)
	case fl.workers < 1:
		return usagef("mutate: -workers must be at least 1, got %d", fl.workers)
	case fl.runTime.d <= 0:
		return usagef("mutate: -time must be positive")
	}
	ops, err := mutate.ParseOps(fl.ops)
	if err != nil {
		return usagef("mutate: -ops: %v", err)
	}
	for _, g := range splitList(fl.files) {
		if _, err := path.Match(g, ""); err != nil {
			return usagef("mutate: -files: bad pattern %q", g)
		}
	}
	equiv, err := readEquivalent(fl.equivalent)
	if err != nil {
		return err
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return usagef("mutate: run it from the module root (no go.mod here)")
	}

	fset, files, err := mutate.Load(".", strings.Fields(fl.pkgs))
	if err != nil {
		return usagef("mutate: -pkgs: %v", err)
	}
	files = slices.DeleteFunc(files, func(f *mutate.File) bool { return !matchAny(fl.files, f.Rel) })
	if len(files) == 0 {
		return usagef("mutate: -files %q matches no file of %s", fl.files, fl.pkgs)
	}
	all := mutate.Enumerate(fset, files, mutate.Options{Ops: ops, Guard: "Bugs", Inert: inertCalls})
	sources := map[string][]byte{}
	for _, f := range files {
		sources[f.Rel] = f.Src
	}
	picked := mutate.Sample(all, fl.n, fl.seed.v)
	if fl.list {
		for _, m := range picked {
			fmt.Fprintf(stdout, "%s\t%s\n", m.ID(), m.OneLine(sources[m.File]))
		}
		return nil
	}
	out, err := atomicfile.Create(fl.out) // fail now, not after an hour, on a bad path
	if err != nil {
		return usagef("mutate: -o: %v", err)
	}
	defer out.Abort() // a no-op once committed

	rep := &mutate.Report{
		Command:    "simrun mutate " + strings.Join(args, " "),
		Oracle:     "<mutant simrun> " + strings.Join(fl.oracleArgs(fl.runTime.d), " ") + fmt.Sprintf(" (killed if it runs %s past that)", fl.grace.d),
		Enumerated: all, Equivalent: equiv, Sources: sources,
		Sample:       fmt.Sprintf("-n %d -seed %d", fl.n, fl.seed.v),
		SurvivorTime: fl.survivorTime.d,
		Stale:        staleIDs(equiv, all, sources, ops),
	}
	if fl.n == 0 {
		rep.Sample = "all"
	}
	var toRun []mutate.Mutant
	for _, m := range picked {
		if _, ok := equiv[m.ID()]; !ok {
			toRun = append(toRun, m)
		}
	}
	fmt.Fprintf(stdout, "mutate: %d mutants, judging %d (%s; %d listed equivalent), %d workers, %s each, base %d\n",
		len(all), len(toRun), rep.Sample, len(picked)-len(toRun), fl.workers, fl.runTime.d, fl.base.v)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	results, err := fl.judge(ctx, stdout, toRun)
	if err != nil {
		return err
	}
	byID := map[string]mutate.Result{}
	for _, r := range results {
		byID[r.Mutant.ID()] = r
	}
	for _, m := range picked {
		r, ok := byID[m.ID()]
		if !ok {
			r = mutate.Result{Mutant: m, Status: mutate.Equivalent}
		}
		rep.Results = append(rep.Results, r)
	}
	rep.Wall, rep.Interrupted = time.Since(start), ctx.Err() != nil
	if err := rep.WriteMarkdown(out); err != nil {
		return err
	}
	if err := out.Commit(); err != nil {
		return fmt.Errorf("mutate: writing %s: %w", fl.out, err)
	}
	c := rep.Counts()
	fmt.Fprintf(stdout, "mutate: killed %d, survived %d, not viable %d, equivalent %d; score %.1f%%; report %s\n",
		c.Killed, c.Survived, c.NotViable, c.Equivalent, 100*c.Score(), fl.out)
	return nil
}

// judge runs the baseline, the mutants, then the survivors again if asked.
func (fl *mutateFlags) judge(ctx context.Context, stdout io.Writer, ms []mutate.Mutant) ([]mutate.Result, error) {
	done, total := 0, len(ms) // of the current round: the mutants, then the survivors
	r := &mutate.Runner{Root: ".", Workers: min(fl.workers, max(len(ms), 1)), Grace: fl.grace.d, Oracle: fl.oracleArgs}
	r.Progress = func(res mutate.Result) {
		done++
		fmt.Fprintf(stdout, "mutate: [%d/%d] %s\n", done, total, verdict(res))
	}
	if err := r.Prepare(); err != nil {
		r.Close()
		return nil, err
	}
	defer r.Close()
	if fl.baseline {
		b := r.Baseline(ctx, fl.runTime.d)
		if ctx.Err() != nil {
			return r.Run(ctx, ms, 0), nil // all not judged
		}
		if b.Status != mutate.Survived {
			msg := fmt.Sprintf("the unmutated build does not pass the oracle: %s", verdict(b))
			if b.Status == mutate.Killed {
				fmt.Fprintln(stdout, "mutate: "+msg)
				return nil, &exitError{code: exitViolation}
			}
			return nil, errors.New(msg)
		}
		fmt.Fprintf(stdout, "mutate: baseline passes (build %s, oracle %s)\n", b.Build.Round(time.Second), b.Run.Round(time.Second))
	}
	results := r.Run(ctx, ms, fl.runTime.d)
	if fl.survivorTime.d <= 0 || ctx.Err() != nil {
		return results, nil
	}
	var again []mutate.Mutant
	var at []int
	for i, res := range results {
		if res.Status == mutate.Survived {
			again, at = append(again, res.Mutant), append(at, i)
		}
	}
	fmt.Fprintf(stdout, "mutate: re-running %d survivors for %s each\n", len(again), fl.survivorTime.d)
	done, total = 0, len(again)
	for k, res := range r.Run(ctx, again, fl.survivorTime.d) {
		if res.Status == mutate.Killed || res.Status == mutate.Survived {
			res.Rerun = true
			results[at[k]] = res
		}
	}
	return results, nil
}

func (fl *mutateFlags) oracleArgs(d time.Duration) []string {
	return []string{"fuzz", "-scenario", fl.scenario, "-duration", d.String(), "-workers", "1",
		"-base", strconv.FormatUint(fl.base.v, 10), "-json"}
}

// verdict is one progress line.
func verdict(r mutate.Result) string {
	m := r.Mutant
	where := "unmutated"
	if m.File != "" {
		where = fmt.Sprintf("%s:%d:%d %s", m.File, m.Line, m.Col, m.Op)
	}
	s := fmt.Sprintf("%-10s %s", r.Status, where)
	switch r.Status {
	case mutate.Killed:
		s += " by " + r.Reason
		if r.HasSeed {
			s += fmt.Sprintf(" (%s seed %d)", r.Scenario, r.Seed)
		}
		s += fmt.Sprintf(" in %.1fs", r.ToKill.Seconds())
		if r.Detail != "" {
			s += ": " + r.Detail
		}
	case mutate.NotViable:
		s += ": " + r.Detail
	}
	return s
}

// readEquivalent reads the equivalence list; a named file must exist.
func readEquivalent(name string) (map[string]string, error) {
	if name == "" {
		return map[string]string{}, nil
	}
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("mutate: -equivalent: no such file %s", name)
	} else if err != nil {
		return nil, usagef("mutate: -equivalent: %v", err)
	}
	defer f.Close()
	eq, err := mutate.ParseEquivalent(f)
	if err != nil {
		return nil, usagef("mutate: -equivalent %s: %v", name, err)
	}
	return eq, nil
}

// staleIDs are the listed ids, of the selected files and operators, that
// no mutant has: the source moved under them.
func staleIDs(equiv map[string]string, all []mutate.Mutant, sources map[string][]byte, ops []mutate.Op) []string {
	have := map[string]bool{}
	for _, m := range all {
		have[m.ID()] = true
	}
	var stale []string
	for id := range equiv {
		parts := strings.Split(id, ":") // file:line:col:op:index, checked when read
		_, selected := sources[parts[0]]
		if selected && slices.Contains(ops, mutate.Op(parts[3])) && !have[id] {
			stale = append(stale, id)
		}
	}
	slices.Sort(stale)
	return stale
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// matchAny reports whether rel matches one of the comma-separated globs;
// an empty list matches everything.
func matchAny(globs, rel string) bool {
	list := splitList(globs)
	for _, g := range list {
		if ok, _ := path.Match(g, rel); ok {
			return true
		}
	}
	return len(list) == 0
}

func opNames() []string {
	var s []string
	for _, op := range mutate.AllOps {
		s = append(s, string(op))
	}
	return s
}
