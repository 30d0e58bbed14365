package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/monsim/monsim/internal/campaign"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

// huntBase is the j-th fixed base a bug is hunted from. Bases a million
// apart never share a seed: no hunt needs that many.
func huntBase(j int) uint64 { return 1 + uint64(j)*1_000_000 }

// hunt is one search for a planted bug: its default scenario, fresh seeds
// from a fixed base, until the first failure (confirmed by a second run,
// as fuzz does) or the time limit.
type hunt struct {
	bug   node.Bug
	base  uint64
	found bool
	wall  time.Duration // to the first failure, or the limit
	seeds int           // seeds finished by then, the failing one included
	check string        // the checker that caught it
}

// runHunt hunts bug in this process, on workers goroutines.
func runHunt(bug node.BugInfo, base uint64, workers int, limit time.Duration) hunt {
	h := hunt{bug: bug.Name, base: base}
	sc, err := scenarios.Lookup(bug.Scenario)
	if err != nil {
		h.check = err.Error() // a catalog entry naming no scenario: shown, never found
		return h
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &campaign.Fuzz{Scenarios: []*scenarios.Scenario{sc}, Opts: scenarios.Options{Bug: bug.Name},
		Base: base, Shards: 1, Duration: limit, Pool: campaign.Pool{Workers: workers}}
	start := time.Now()
	c.OnSeed = func(o campaign.Outcome) {
		if h.found {
			return
		}
		h.seeds++
		if o.Res.Failed() {
			h.found, h.wall, h.check = true, time.Since(start), string(o.Res.First().Checker)
			if !o.Deterministic() {
				h.check = "determinism"
			}
			cancel()
		}
	}
	c.Run(ctx)
	if !h.found {
		h.wall = time.Since(start)
	}
	return h
}

// benchBugs hunts every selected bug from bf.bases fixed bases and prints,
// per bug, the median and worst wall time and seeds to its first failure.
func benchBugs(stdout io.Writer, bf *benchFlags, bugs []node.BugInfo) error {
	fmt.Fprintf(stdout, "bench -bugs: %d bugs, %d hunts each (bases %s), %d workers, limit %s per hunt\n",
		len(bugs), bf.bases, basesText(bf.bases), bf.workers, bf.limit.d)
	var rows [][]hunt
	for _, b := range bugs {
		var hs []hunt
		for j := range bf.bases {
			hs = append(hs, runHunt(b, huntBase(j), bf.workers, bf.limit.d))
		}
		rows = append(rows, hs)
	}
	printHunts(stdout, bugs, rows, bf.limit.d)
	return nil
}

func basesText(n int) string {
	var parts []string
	for j := range min(n, 3) {
		parts = append(parts, fmt.Sprint(huntBase(j)))
	}
	if n > 3 {
		parts = append(parts, "...")
	}
	return strings.Join(parts, ", ")
}

// huntStats sums up one bug's hunts: times and seeds of the hunts that
// found it; a hunt that did not counts as the limit in the worst case.
type huntStats struct {
	found                int
	medWall, worstWall   time.Duration
	medSeeds, worstSeeds int
	seedsRun             int // by every hunt, found or not
	checks               []string
}

func statsOf(hs []hunt) huntStats {
	var st huntStats
	var walls []time.Duration
	var seeds []int
	for _, h := range hs {
		st.seedsRun += h.seeds
		walls = append(walls, h.wall)
		if !h.found {
			continue
		}
		st.found++
		seeds = append(seeds, h.seeds)
		if !slices.Contains(st.checks, h.check) {
			st.checks = append(st.checks, h.check)
		}
	}
	st.medWall, st.worstWall = medianOf(walls), worstOf(walls)
	st.medSeeds, st.worstSeeds = medianOf(seeds), worstOf(seeds)
	slices.Sort(st.checks)
	return st
}

func printHunts(stdout io.Writer, bugs []node.BugInfo, rows [][]hunt, limit time.Duration) {
	fmt.Fprintf(stdout, "%-30s %-22s %6s %9s %9s %7s %7s %10s  %s\n",
		"bug", "scenario", "found", "median", "worst", "seeds", "worst", "seeds/fail", "caught by")
	var total time.Duration
	for i, b := range bugs {
		st := statsOf(rows[i])
		worst := fmtWall(st.worstWall)
		if st.found < len(rows[i]) {
			worst = ">" + fmtWall(limit)
		}
		perFail := "-"
		if st.found > 0 {
			perFail = fmt.Sprintf("%.1f", float64(st.seedsRun)/float64(st.found))
		}
		for _, h := range rows[i] {
			total += h.wall
		}
		fmt.Fprintf(stdout, "%-30s %-22s %3d/%-2d %9s %9s %7d %7d %10s  %s\n", b.Name, b.Scenario,
			st.found, len(rows[i]), fmtWall(st.medWall), worst, st.medSeeds, st.worstSeeds, perFail,
			strings.Join(st.checks, ","))
	}
	fmt.Fprintf(stdout, "total hunt time %s\n", fmtWall(total))
}

func fmtWall(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
