package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// bench -bugs hunts from fixed bases and reports, per bug, how many hunts
// found it, the median and worst time and seeds, and the checker.
func TestBenchBugsReportsTimeAndSeedsToTheFirstFailure(t *testing.T) {
	code, out, _ := simrun(t, "bench", "-bugs", "-bases", "2", "-workers", "1", "-bug", "recent-off-by-one")
	require.Equal(t, exitPass, code, out)
	require.Contains(t, out, "2 hunts each (bases 1, 1000001), 1 workers")
	require.Regexp(t, regexp.MustCompile(`(?m)^recent-off-by-one\s+lagging\s+2/2\s+[\d.]+s\s+[\d.]+s\s+\d+\s+\d+\s+[\d.]+\s+state-hash`), out)
}

// Every planted bug is hunted unless some are named: a bug added to node's
// catalog needs no change to bench.
func TestBenchBugsHuntsTheWholeCatalog(t *testing.T) {
	bugs, err := pickBugs("")
	require.NoError(t, err)
	require.Equal(t, node.BugCatalog(), bugs)
	for _, b := range bugs {
		require.NotEmpty(t, b.Scenario, "%s has no scenario to hunt it in", b.Name)
	}
}

func TestBenchBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	notSimrun := filepath.Join(dir, "other")
	require.NoError(t, os.WriteFile(notSimrun, []byte("#!/bin/sh\necho hello\n"), 0o755))
	for _, args := range [][]string{
		{"bench", "-compare", filepath.Join(dir, "missing")},
		{"bench", "-compare", notSimrun},
		{"bench", "-compare", dir},
		{"bench", "-bugs", "-bug", "nope"},
		{"bench", "-bugs", "-bases", "0"},
		{"bench", "-scenario", "nope"},
		{"bench", "-with", notSimrun},
	} {
		code, out, errText := simrun(t, args...)
		require.Equal(t, exitUsage, code, "%v", args)
		require.Empty(t, out, "%v", args)
		require.Equal(t, 1, strings.Count(errText, "\n"), "%v: %q", args, errText)
	}
}

// A build compared with itself runs the same seeds to the same trace hashes,
// and every line carries a ratio.
func TestBenchCompareRunsBothBuildsOnTheSameWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := simrunBinary(t)
	out, err := exec.Command(bin, "bench", "-compare", bin, "-scenario", "repair-all,kv-crash", "-seeds", "2", "-rounds", "2").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, regexp.MustCompile(`(?m)^repair-all\s+[\d.]+\s+[\d.]+\s+[\d.]+x\s+[\d.]+x\s+2/2 same$`), string(out))
	require.Regexp(t, regexp.MustCompile(`(?m)^geometric mean\s+[\d.]+x\s+[\d.]+x\s+4/4 same$`), string(out))

	out, err = exec.Command(bin, "bench", "-compare", bin, "-bugs", "-bug", "recent-off-by-one", "-bases", "2", "-workers", "1").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, regexp.MustCompile(`(?m)^recent-off-by-one\s+[\d.]+s\s+[\d.]+s\s+[\d.]+x\s+[\d.]+\s+[\d.]+$`), string(out))
	require.NotContains(t, string(out), "scenarios:", "-bugs alone compares hunts only")
}
