package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

// A speed claim is a ratio taken in one run: machines are noisy, and load
// from other work moves absolute figures by more than most changes do.
// benchCompare runs the same work with two simrun binaries in turn, each as
// a child process through `simrun fuzz -json` (which every build has), and
// prints the ratios old/new: above 1 the new build is faster.

// build is one simrun binary under comparison.
type build struct{ name, path string }

// checkSimrun makes sure path is a simrun binary: it exists, runs, and its
// help says so.
func checkSimrun(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return errors.New("not an executable file")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, path, "help").Output()
	if !bytes.HasPrefix(out, []byte("simrun:")) {
		return errors.New("not a simrun binary (its help does not start with \"simrun:\")")
	}
	return nil
}

func benchCompare(stdout io.Writer, bf *benchFlags, scs []*scenarios.Scenario, bugs []node.BugInfo) error {
	newPath := bf.with
	if newPath == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: finding this binary: %w", err)
		}
		newPath = self
	}
	old, cur := build{"old", bf.compare}, build{"new", newPath}
	for _, b := range []build{old, cur} {
		if err := checkSimrun(b.path); err != nil {
			return usagef("bench: -compare: %s: %v", b.path, err)
		}
	}
	corpus, err := os.MkdirTemp("", "simrun-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(corpus)
	fmt.Fprintf(stdout, "bench -compare: old %s, new %s; ratio old/new (above 1: new is faster)\n", old.path, cur.path)
	if !bf.bugs || bf.scenNames != "" {
		compareScenarios(stdout, bf, scs, old, cur, corpus)
	}
	if bf.bugs {
		compareHunts(stdout, bf, bugs, old, cur, corpus)
	}
	return nil
}

// fuzzOut is what one `simrun fuzz -json` child reported.
type fuzzOut struct {
	hashes  map[uint64]string // seed -> trace hash
	wall    float64           // seconds spent running seeds (the summary's), or the child's wall time
	cpu     float64           // the child's CPU seconds (user and system), 0 if killed
	failed  bool              // the run stopped at a failure (hunts)
	seeds   int
	check   string
	skipped string // the child refused the work (exit 2): why
}

// runFuzz runs bin's fuzz with args. With stopAtFail it kills the child at
// its first failing seed and times the run up to that line.
func runFuzz(bin string, args []string, stopAtFail bool) fuzzOut {
	out := fuzzOut{hashes: map[uint64]string{}}
	cmd := exec.Command(bin, append([]string{"fuzz", "-json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		out.skipped = err.Error()
		return out
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		out.skipped = err.Error()
		return out
	}
	summaryWall := -1.0
	sc := bufio.NewScanner(pipe)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Type, Result, Check, TraceHash string
			Seed                           uint64
			WallSeconds                    float64 `json:"wall_seconds"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch line.Type {
		case "seed":
			out.seeds++
			out.hashes[line.Seed] = line.TraceHash
			if stopAtFail && line.Result == "fail" && !out.failed {
				out.failed, out.check, out.wall = true, line.Check, time.Since(start).Seconds()
				cmd.Process.Kill()
			}
		case "summary":
			summaryWall = max(summaryWall, 0) + line.WallSeconds
		}
		if out.failed {
			break
		}
	}
	io.Copy(io.Discard, pipe)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !out.failed && errors.As(err, &exit) && exit.ExitCode() == exitUsage {
		out.skipped = strings.TrimSpace(stderr.String())
	}
	if !out.failed && cmd.ProcessState != nil {
		out.cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	switch {
	case out.failed:
	case summaryWall >= 0:
		out.wall = summaryWall
	default:
		out.wall = time.Since(start).Seconds()
	}
	return out
}

// compareScenarios runs each scenario's first -seeds seeds with both builds,
// on one worker, -rounds times, the order swapped each round. It compares
// wall time and CPU time: on a machine shared with other work, a child
// waits for a core for a varying share of its wall time, while its CPU time
// moves much less.
func compareScenarios(stdout io.Writer, bf *benchFlags, scs []*scenarios.Scenario, old, cur build, corpus string) {
	fmt.Fprintf(stdout, "scenarios: %d rounds of %d seeds each (base 1), one worker, builds alternating\n", bf.rounds, bf.seeds)
	fmt.Fprintf(stdout, "%-22s %12s %12s %9s %9s  %s\n", "scenario", "old ms/seed", "new ms/seed", "old/new", "cpu o/n", "trace hashes")
	var logSum, logCPU float64
	var n, same, seeds int
	for _, sc := range scs {
		args := []string{"-scenario", sc.Name, "-seeds", fmt.Sprint(bf.seeds), "-base", "1", "-workers", "1", "-corpus", corpus}
		var ratios, cpuRatios, oldMs, newMs []float64
		var first [2]fuzzOut
		skipped := ""
		for r := range bf.rounds {
			pair := [2]build{old, cur}
			if r%2 == 1 {
				pair = [2]build{cur, old}
			}
			var got [2]fuzzOut // old, new
			for _, b := range pair {
				i := 0
				if b == cur {
					i = 1
				}
				got[i] = runFuzz(b.path, args, false)
				if got[i].skipped != "" {
					skipped = fmt.Sprintf("%s build: %s", b.name, got[i].skipped)
				}
			}
			if skipped != "" {
				break
			}
			if r == 0 {
				first = got
			}
			oldMs = append(oldMs, 1000*got[0].wall/float64(bf.seeds))
			newMs = append(newMs, 1000*got[1].wall/float64(bf.seeds))
			ratios = append(ratios, got[0].wall/got[1].wall)
			cpuRatios = append(cpuRatios, got[0].cpu/got[1].cpu)
		}
		if skipped != "" {
			fmt.Fprintf(stdout, "%-22s skipped: %s\n", sc.Name, skipped)
			continue
		}
		match := sameHashes(first[0].hashes, first[1].hashes)
		same += match
		seeds += len(first[1].hashes)
		ratio, cpu := medianOf(ratios), medianOf(cpuRatios)
		logSum += math.Log(ratio)
		logCPU += math.Log(cpu)
		n++
		fmt.Fprintf(stdout, "%-22s %12.1f %12.1f %8.2fx %8.2fx  %d/%d same\n", sc.Name, medianOf(oldMs), medianOf(newMs),
			ratio, cpu, match, len(first[1].hashes))
	}
	if n > 0 {
		fmt.Fprintf(stdout, "%-22s %12s %12s %8.2fx %8.2fx  %d/%d same\n", "geometric mean", "", "",
			math.Exp(logSum/float64(n)), math.Exp(logCPU/float64(n)), same, seeds)
	}
}

func sameHashes(a, b map[uint64]string) int {
	n := 0
	for seed, h := range b {
		if a[seed] == h {
			n++
		}
	}
	return n
}

// compareHunts hunts every selected bug from the same fixed bases with both
// builds, alternating, and compares the median time to the first failure.
func compareHunts(stdout io.Writer, bf *benchFlags, bugs []node.BugInfo, old, cur build, corpus string) {
	fmt.Fprintf(stdout, "bugs: %d hunts each (bases %s), %d workers, limit %s, builds alternating\n",
		bf.bases, basesText(bf.bases), bf.workers, bf.limit.d)
	fmt.Fprintf(stdout, "%-30s %10s %10s %9s %10s %10s\n", "bug", "old median", "new median", "old/new", "old seeds", "new seeds")
	var logSum float64
	var n int
	for _, b := range bugs {
		var walls, seeds [2][]float64
		skipped := ""
		for j := range bf.bases {
			args := []string{"-bug", string(b.Name), "-base", fmt.Sprint(huntBase(j)), "-duration", bf.limit.d.String(),
				"-workers", fmt.Sprint(bf.workers), "-corpus", corpus}
			pair := [2]build{old, cur}
			if j%2 == 1 {
				pair = [2]build{cur, old}
			}
			for _, bd := range pair {
				i := 0
				if bd == cur {
					i = 1
				}
				got := runFuzz(bd.path, args, true)
				if got.skipped != "" {
					skipped = fmt.Sprintf("%s build: %s", bd.name, got.skipped)
				}
				walls[i] = append(walls[i], got.wall)
				seeds[i] = append(seeds[i], float64(got.seeds))
			}
			if skipped != "" {
				break
			}
		}
		if skipped != "" {
			fmt.Fprintf(stdout, "%-30s skipped: %s\n", b.Name, skipped)
			continue
		}
		ratio := medianOf(walls[0]) / medianOf(walls[1])
		logSum += math.Log(ratio)
		n++
		fmt.Fprintf(stdout, "%-30s %9.2fs %9.2fs %8.2fx %10.1f %10.1f\n", b.Name, medianOf(walls[0]), medianOf(walls[1]),
			ratio, medianOf(seeds[0]), medianOf(seeds[1]))
	}
	if n > 0 {
		fmt.Fprintf(stdout, "%-30s %10s %10s %8.2fx\n", "geometric mean", "", "", math.Exp(logSum/float64(n)))
	}
}
