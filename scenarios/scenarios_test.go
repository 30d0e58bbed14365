package scenarios

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

var simSeeds = flag.Int("simseeds", 10, "seeds per scenario in the property runs (more for longer runs)")

// Every scenario replays bit for bit: the same seed twice gives the same
// trace hash, and another seed gives another run.
func TestEveryScenarioIsDeterministic(t *testing.T) {
	for _, sc := range All() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			a, b := sc.Run(Options{Seed: 1}), sc.Run(Options{Seed: 1})
			require.Equal(t, a.TraceHash, b.TraceHash, "same seed, different trace")
			require.Equal(t, a.Verdict(), b.Verdict())
			require.NotEqual(t, a.TraceHash, sc.Run(Options{Seed: 2}).TraceHash, "different seeds, same trace")
		})
	}
}

// With no bug planted, every scenario passes every checker.
func TestEveryScenarioPasses(t *testing.T) {
	for _, sc := range All() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			for seed := uint64(100); seed < 100+uint64(*simSeeds); seed++ {
				res := sc.Run(Options{Seed: seed})
				require.False(t, res.Failed(), "seed %d: %s", seed, res.Verdict())
				require.Empty(t, res.Unknown, "seed %d", seed)
			}
		})
	}
}

// Saved failures replay from testdata/regress, with the clients' work a
// shrink narrowed them to: a planted bug must still be caught by the
// checker that caught it; a real bug that was fixed must stay fixed.
func TestRegressionSeeds(t *testing.T) {
	files, err := filepath.Glob("testdata/regress/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			t.Parallel()
			f, err := seedfile.Read(path)
			require.NoError(t, err)
			sc, err := Lookup(f.Scenario)
			require.NoError(t, err)
			collectors := NoCollectors // files saved before collectors existed ran none
			if f.Collectors != nil && *f.Collectors > 0 {
				collectors = *f.Collectors
			}
			// A shrunk file narrows the clients' work too: replay it as saved.
			res := sc.Run(Options{Seed: f.Seed, Bug: f.Bug, Monitors: f.Monitors, Collectors: collectors, Plan: &f.Plan,
				Workload: f.Workload, NoPageRepair: f.NoPageRepair})
			if f.Bug == "" {
				require.False(t, res.Failed(), "fixed bug is back: %s (was: %s)", res.Verdict(), f.Failure.Reason)
				return
			}
			require.True(t, res.Failed(), "planted bug %s no longer caught", f.Bug)
			require.Equal(t, f.Failure.Check, res.First().Checker, "caught by another checker: %s", res.Verdict())
		})
	}
}

// Every planted bug has a scenario that finds it, a regression seed (so
// make test proves its checker catches it) and a line in the README.
func TestEveryPlantedBugHasAScenarioASeedAndAReadmeLine(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, b := range node.BugCatalog() {
		_, err := Lookup(b.Scenario)
		require.NoError(t, err, "bug %s", b.Name)
		f, err := seedfile.Read(filepath.Join("testdata", "regress", fmt.Sprintf("bug-%s.json", b.Name)))
		require.NoError(t, err, "bug %s", b.Name)
		require.Equal(t, b.Name, f.Bug)
		require.Contains(t, string(readme), fmt.Sprintf("| `%s` | %s |", b.Name, b.Scenario), "README's planted-bug table")
	}
}
