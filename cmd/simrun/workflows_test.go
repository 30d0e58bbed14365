package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/monsim/monsim/internal/seedfile"
	"github.com/stretchr/testify/require"
)

// The default job prints its seed base, a plain progress line (no control
// codes when stdout is not a terminal) and a table row per scenario.
func TestDefaultJobPrintsBaseProgressAndTable(t *testing.T) {
	code, out, _ := simrun(t, "-duration", "2s", "-base", "77", "-corpus", t.TempDir())
	require.Equal(t, exitPass, code, out)
	require.Contains(t, out, "seed base 77 (rerun with -base 77)")
	require.Regexp(t, regexp.MustCompile(`(?m)^\d+ seeds  [\d.]+ seeds/s  0 violations  \d+s left$`), out)
	require.Regexp(t, regexp.MustCompile(`(?m)^scenario\s+seeds\s+violations\s+liveness\s+elections\s+full syncs\s+recent syncs\s+repairs\s+power losses\s+simulated\s+speedup$`), out)
	require.Regexp(t, regexp.MustCompile(`(?m)^repair-stale\s+\d+\s+0\s+0\s`), out)
	require.NotContains(t, out, "\r")
	require.NotContains(t, out, "\033")
}

func TestRunWritesAnHTMLReportAndAHistory(t *testing.T) {
	dir := t.TempDir()
	page, hist := filepath.Join(dir, "r.html"), filepath.Join(dir, "h.json")
	code, out, _ := simrun(t, "run", "-scenario", "lagging", "-seed", "3", "-html", page, "-history", hist)
	require.Equal(t, exitPass, code, out)
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	require.Contains(t, string(b), "<html")
	require.Contains(t, string(b), `id="lane-4"`)
	code, out, _ = simrun(t, "check", hist)
	require.Equal(t, exitPass, code, out)
	require.Equal(t, "linearizable\n", out)
}

func TestBadOutputPathsExitTwoBeforeRunning(t *testing.T) {
	code, out, errText := simrun(t, "run", "-scenario", "steady", "-seed", "1", "-html", "/no/such/dir/r.html")
	require.Equal(t, exitUsage, code)
	require.Empty(t, out)
	require.Contains(t, errText, "-html")
}

func TestShrinkKeepsTheSameFailureInFewerFaults(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "s.json")
	data, err := os.ReadFile("../../scenarios/testdata/regress/bug-recent-off-by-one.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(in, data, 0o644))
	code, out, _ := simrun(t, "shrink", in)
	require.Equal(t, exitPass, code, out)
	require.Regexp(t, `faults: \d+ -> \d+`, out)
	orig, err := seedfile.Read(in)
	require.NoError(t, err)
	small, err := seedfile.Read(strings.TrimSuffix(in, ".json") + ".min.json")
	require.NoError(t, err)
	require.LessOrEqual(t, len(small.Plan.Faults), len(orig.Plan.Faults))
	require.Equal(t, orig.Failure.Check, small.Failure.Check)
	code, out, _ = simrun(t, "replay", strings.TrimSuffix(in, ".json")+".min.json")
	require.Equal(t, exitViolation, code, out)
	require.Equal(t, small.TraceHash, traceHash(t, out))
}

func TestCrashpointsCoverEveryOperationOfTheRepair(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a few hundred simulations")
	}
	code, out, _ := simrun(t, "crashpoints", "-scenario", "repair", "-seed", "1", "-corpus", t.TempDir())
	require.Equal(t, exitPass, code, out)
	m := regexp.MustCompile(`(?m)^repair path: monitor \d+, (\d+) filesystem operations`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	require.Contains(t, out, "crash-points: ")
	require.Contains(t, out, "\nfailures: 0\n")
}

func TestCrashpointsCoverEveryOperationOfAResumedSync(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a few dozen simulations")
	}
	code, out, _ := simrun(t, "crashpoints", "-scenario", "sync-interrupted", "-path", "resume", "-seed", "1", "-corpus", t.TempDir())
	require.Equal(t, exitPass, code, out)
	require.Regexp(t, `(?m)^resume path: monitor \d+, [1-9]\d* filesystem operations from sync/resume-accepted to sync/finished$`, out)
	require.Contains(t, out, "\nfailures: 0\n")
	code, _, errOut := simrun(t, "crashpoints", "-scenario", "sync-interrupted", "-path", "sideways")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "-path must be repair or resume")
}

func TestCrashpointsFindAPlantedRepairBug(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a few hundred simulations")
	}
	code, out, _ := simrun(t, "crashpoints", "-scenario", "repair", "-seed", "1", "-bug", "delete-before-complete", "-corpus", t.TempDir())
	require.Equal(t, exitViolation, code, out)
	require.Regexp(t, `(?m)^failures: [1-9]\d*$`, out)
}

func TestBenchReportsTheKernelAndEveryScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a seed of every scenario")
	}
	code, out, _ := simrun(t, "bench", "-time", "20ms")
	require.Equal(t, exitPass, code, out)
	require.Regexp(t, `(?m)^kernel: [\d.]+M timer events/s with 1k pending$`, out)
	require.Regexp(t, `(?m)^repair-stale\s+[\d.]+\s+\d+x$`, out)
}
