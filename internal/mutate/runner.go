package mutate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Status is what became of a mutant.
type Status string

// The statuses.
const (
	Killed     Status = "killed"     // the oracle failed, crashed or hung
	Survived   Status = "survived"   // the oracle passed
	NotViable  Status = "not-viable" // the mutant does not compile
	Equivalent Status = "equivalent" // listed as equivalent: not run
	Aborted    Status = "aborted"    // interrupted before it was judged
)

// Reasons a kill has besides the checker named by the oracle.
const (
	ReasonCrash     = "crash"     // the oracle exited abnormally (a panic, a fatal error)
	ReasonTimeout   = "timeout"   // the oracle ran past its time plus the grace
	ReasonViolation = "violation" // exit code 1 without a failing seed line
	ReasonProbes    = "probes"    // a path the unmutated build takes often was never taken
)

// lostProbeMin is how many hits the unmutated build's rate predicts, for
// the mutant's seeds, before a probe the mutant never reached kills it. A
// rare probe may miss by chance, or because a tuning constant moved it; a
// probe expected this often is missing because its path is gone. It is the
// nightly's rule (every probe is reached) held to the campaign at hand.
const lostProbeMin = 20

// Result is the verdict on one mutant.
type Result struct {
	Mutant   Mutant
	Status   Status
	Reason   string // for a kill: the checker, or a Reason* constant
	Scenario string // the first failing seed, if the oracle named one
	Seed     uint64
	HasSeed  bool
	ToKill   time.Duration // from the oracle's start to the kill
	Build    time.Duration
	Run      time.Duration // the oracle's wall time
	Detail   string        // one line: the compile error, the crash
	Rerun    bool          // judged by the survivor re-run

	reach probeReach // the code probes the oracle's campaign reached
}

// probeReach is what a campaign's summary lines say it reached.
type probeReach struct {
	seeds int
	hits  map[string]int
}

func (p *probeReach) add(seeds int, hits map[string]int) {
	if p.hits == nil {
		p.hits = map[string]int{}
	}
	p.seeds += seeds
	for name, n := range hits {
		p.hits[name] += n
	}
}

// lost names the probes base reached often enough that, over this
// campaign's seeds, at least lostProbeMin hits were due, and this campaign
// never reached; sorted.
func (p *probeReach) lost(base *probeReach) []string {
	if base == nil || base.seeds == 0 || p.seeds == 0 {
		return nil
	}
	var out []string
	for name, n := range base.hits {
		if p.hits[name] == 0 && n*p.seeds >= lostProbeMin*base.seeds {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Runner builds mutants in copies of a module and judges each with an
// oracle: the mutant's own binary, run for a fixed time, where any failing
// seed (a JSON line with "result":"fail"), a crash or a hang kills the
// mutant. Each worker owns one copy of the module, so mutants never see
// each other's edits.
type Runner struct {
	Root    string // the module to copy
	Workers int
	// Build is the build command run in a copy; "{out}" stands for the
	// binary's path. -trimpath lets every copy share the build cache.
	Build []string
	// Oracle returns the binary's arguments for a campaign of d.
	Oracle func(d time.Duration) []string
	Grace  time.Duration // how long past d a run may take before it counts as hung
	// Progress sees each verdict as it is reached, one call at a time.
	Progress func(Result)

	tmp     string
	workers []*worker
	mu      sync.Mutex
	base    *probeReach // what the unmutated build's campaign reached
}

type worker struct {
	dir  string            // the module copy
	bin  string            // the mutant binary
	run  string            // working directory of the oracle
	orig map[string][]byte // unmutated text of the files mutated so far
}

// DefaultBuild builds simrun.
var DefaultBuild = []string{"go", "build", "-trimpath", "-o", "{out}", "./cmd/simrun"}

// Prepare copies the module once per worker into a temporary directory.
func (r *Runner) Prepare() error {
	if len(r.Build) == 0 {
		r.Build = DefaultBuild
	}
	tmp, err := os.MkdirTemp("", "simrun-mutate-")
	if err != nil {
		return err
	}
	r.tmp = tmp
	for i := range max(r.Workers, 1) {
		w := &worker{dir: filepath.Join(tmp, fmt.Sprintf("w%d", i), "src"), orig: map[string][]byte{}}
		w.bin = filepath.Join(tmp, fmt.Sprintf("w%d", i), "simrun-mutant")
		w.run = filepath.Join(tmp, fmt.Sprintf("w%d", i), "run")
		if err := copyModule(r.Root, w.dir); err != nil {
			return fmt.Errorf("copying %s: %w", r.Root, err)
		}
		r.workers = append(r.workers, w)
	}
	return nil
}

// Close removes the copies.
func (r *Runner) Close() error {
	if r.tmp == "" {
		return nil
	}
	return os.RemoveAll(r.tmp)
}

// copyModule copies the module at src to dst, leaving out version control
// and the outputs a campaign writes (corpus/, cover/).
func copyModule(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.Name() == ".git" || rel == "corpus" || rel == "cover" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}

// Baseline builds the unmutated module and runs the oracle on it for d.
// Anything but Survived means the oracle cannot judge mutants.
func (r *Runner) Baseline(ctx context.Context, d time.Duration) Result {
	res := r.workers[0].judge(ctx, r, nil, d)
	if res.Status == Survived && res.reach.seeds > 0 {
		r.base = &res.reach
	}
	return res
}

// Run judges the mutants with a campaign of d each, on all workers, and
// returns the verdicts in the mutants' order.
func (r *Runner) Run(ctx context.Context, ms []Mutant, d time.Duration) []Result {
	out := make([]Result, len(ms))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for _, w := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = w.judge(ctx, r, &ms[i], d)
				if r.Progress != nil {
					r.mu.Lock()
					r.Progress(out[i])
					r.mu.Unlock()
				}
			}
		}()
	}
	for i := range ms {
		if ctx.Err() != nil {
			out[i] = Result{Mutant: ms[i], Status: Aborted}
			continue
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}

// judge builds the mutant (nil: the unmutated module) and runs the oracle.
func (w *worker) judge(ctx context.Context, r *Runner, m *Mutant, d time.Duration) Result {
	var res Result
	if m != nil {
		res.Mutant = *m
	}
	start := time.Now()
	err := w.build(ctx, r, m)
	res.Build = time.Since(start)
	switch {
	case ctx.Err() != nil:
		res.Status = Aborted
		return res
	case err != nil:
		res.Status, res.Detail = NotViable, err.Error()
		return res
	}
	w.oracle(ctx, r, d, &res)
	return res
}

// build writes the mutant into the copy, builds the binary and restores
// the file whatever happened.
func (w *worker) build(ctx context.Context, r *Runner, m *Mutant) error {
	if m != nil {
		path := filepath.Join(w.dir, filepath.FromSlash(m.File))
		orig, ok := w.orig[m.File]
		if !ok {
			var err error
			if orig, err = os.ReadFile(path); err != nil {
				return err
			}
			w.orig[m.File] = orig
		}
		if err := os.WriteFile(path, m.Apply(orig), 0o644); err != nil {
			return err
		}
		defer os.WriteFile(path, orig, 0o644)
	}
	args := make([]string, len(r.Build))
	for i, a := range r.Build {
		args[i] = strings.ReplaceAll(a, "{out}", w.bin)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = w.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return errors.New(firstLine(compileError(out), err.Error()))
	}
	return nil
}

// compileError drops the "# package" header go build prints first.
func compileError(out []byte) string {
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

// oracleLine is the part of a `simrun fuzz -json` line the runner reads.
type oracleLine struct {
	Type     string         `json:"type"`
	Result   string         `json:"result"`
	Check    string         `json:"check"`
	Scenario string         `json:"scenario"`
	Seed     *uint64        `json:"seed"`
	Seeds    int            `json:"seeds"`  // a summary line's
	Probes   map[string]int `json:"probes"` // a summary line's hits per code probe
}

// oracle runs the binary for d and fills in the verdict. It stops the
// oracle at the first failing seed: one is enough to kill.
func (w *worker) oracle(ctx context.Context, r *Runner, d time.Duration, res *Result) {
	if err := os.RemoveAll(w.run); err != nil {
		res.Status, res.Detail = Aborted, err.Error()
		return
	}
	if err := os.MkdirAll(w.run, 0o755); err != nil {
		res.Status, res.Detail = Aborted, err.Error()
		return
	}
	runCtx, cancel := context.WithTimeout(ctx, d+r.Grace)
	defer cancel()
	cmd := exec.CommandContext(runCtx, w.bin, r.Oracle(d)...)
	cmd.Dir = w.run
	cmd.WaitDelay = 5 * time.Second
	var stderr headBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		res.Status, res.Detail = Aborted, err.Error()
		return
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		res.Status, res.Reason, res.Detail = Killed, ReasonCrash, err.Error()
		return
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	failed := false
	for sc.Scan() {
		var l oracleLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		if l.Type == "summary" {
			res.reach.add(l.Seeds, l.Probes)
		}
		if l.Result != "fail" {
			continue
		}
		failed = true
		res.ToKill = time.Since(start)
		res.Reason, res.Scenario = l.Check, l.Scenario
		if l.Seed != nil {
			res.Seed, res.HasSeed = *l.Seed, true
		}
		cmd.Process.Kill()
		break
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	res.Run = time.Since(start)
	var exit *exec.ExitError
	switch {
	case failed:
		res.Status = Killed
	case ctx.Err() != nil:
		res.Status = Aborted
	case runCtx.Err() != nil:
		res.Status, res.Reason, res.ToKill = Killed, ReasonTimeout, res.Run
		res.Detail = fmt.Sprintf("still running after %s", d+r.Grace)
	case err == nil:
		res.Status = Survived
		if lost := res.reach.lost(r.base); len(lost) > 0 {
			res.Status, res.Reason, res.ToKill = Killed, ReasonProbes, res.Run
			res.Detail = fmt.Sprintf("never reached %s (the unmutated build: %d hits in %d seeds; this one ran %d seeds)",
				strings.Join(lost, ", "), r.base.hits[lost[0]], r.base.seeds, res.reach.seeds)
		}
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		res.Status, res.Reason, res.ToKill = Killed, ReasonViolation, res.Run
		res.Detail = firstLine(stderr.String(), "exit code 1 without a failing seed line")
	default:
		res.Status, res.Reason, res.ToKill = Killed, ReasonCrash, res.Run
		res.Detail = crashLine(stderr.String(), err)
	}
}

// crashLine picks the line of a crashed oracle's stderr that says why: a
// Go panic or fatal error, else the last line.
func crashLine(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return l
		}
	}
	return firstLine(lines[len(lines)-1], err.Error())
}

func firstLine(s, otherwise string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return otherwise
	}
	return s
}

// headBuffer keeps the first 64 KiB written to it: a panic's message comes
// first, and a runaway oracle must not fill memory.
type headBuffer struct{ b bytes.Buffer }

func (t *headBuffer) Write(p []byte) (int, error) {
	if room := 64<<10 - t.b.Len(); room > 0 {
		t.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (t *headBuffer) String() string { return t.b.String() }
