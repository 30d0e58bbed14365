package main

import (
	"bytes"
	"encoding/json"
	"github.com/monsim/monsim/internal/campaign"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monsim/monsim/internal/seedfile"
	"github.com/stretchr/testify/require"
)

func simrun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = mainCode(args, &out, &errb)
	return code, out.String(), errb.String()
}

func traceHash(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if h, ok := strings.CutPrefix(line, "trace-hash: "); ok {
			return h
		}
	}
	t.Fatalf("no trace-hash line in:\n%s", out)
	return ""
}

func TestRunEndsWithResultAndTraceHash(t *testing.T) {
	code, out, _ := simrun(t, "run", "-scenario", "kv-crash", "-seed", "7")
	require.Equal(t, exitPass, code, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Equal(t, "result: PASS", lines[len(lines)-2])
	require.Regexp(t, `^trace-hash: [0-9a-f]{16}$`, lines[len(lines)-1])
}

func TestSameSeedSameHashOtherSeedOtherHash(t *testing.T) {
	_, a, _ := simrun(t, "run", "-scenario", "kv-crash", "-seed", "7")
	_, b, _ := simrun(t, "run", "-scenario", "kv-crash", "-seed", "7")
	_, c, _ := simrun(t, "run", "-scenario", "kv-crash", "-seed", "8")
	require.Equal(t, traceHash(t, a), traceHash(t, b))
	require.NotEqual(t, traceHash(t, a), traceHash(t, c))
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"run", "-scenario", "kv-crash", "-seed", "x"},
		{"run", "-scenario", "kv-crash", "-seed", "-5"},
		{"run", "-scenario", "nope", "-seed", "1"},
		{"run", "-scenario", "steady", "-seed", "1", "-bug", "nope"},
		{"run", "-scenario", "steady", "-seed", "1", "-monitors", "4"},
		{"run", "-scenario", "steady", "-seed", "1", "-collectors", "17"},
		{"fuzz", "-seeds", "1", "-collectors", "-2"},
		{"run", "-scenario", "steady"},
		{"frobnicate"},
		{"fuzz", "-seeds", "1", "-shard", "3/2"},
		{"fuzz", "-duration", "-1s"},
		{"fuzz"},
		{"replay", "/no/such/file.json"},
	} {
		code, out, errText := simrun(t, args...)
		require.Equal(t, exitUsage, code, "%v", args)
		require.Empty(t, out, "%v", args)
		require.Equal(t, 1, strings.Count(errText, "\n"), "%v: %q", args, errText)
		require.True(t, strings.HasPrefix(errText, "simrun: "), "%v: %q", args, errText)
	}
}

func TestMalformedSeedFilesExitTwoAndWriteNothing(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../../scenarios/testdata/regress/bug-skip-dir-sync.json")
	require.NoError(t, err)
	swap := func(from, to string) []byte {
		require.Contains(t, string(good), from)
		return bytes.Replace(good, []byte(from), []byte(to), 1)
	}
	cases := map[string][]byte{
		"truncated.json":  good[:len(good)/3],
		"format.json":     swap(`"format": 2`, `"format": 9`),
		"scenario.json":   swap(`"scenario": "repair-powerloss"`, `"scenario": "nope"`),
		"point.json":      swap(`"point": "repair/before-remove"`, `"point": "repair/before-remvoe"`),
		"mode.json":       swap(`"power": "honest"`, `"power": "honset"`),
		"target.json":     swap(`"target": "log"`, `"target": "mon-3/store/LOG-"`),
		"checker.json":    swap(`"check": "repair"`, `"check": "repiar"`),
		"bug.json":        swap(`"bug": "skip-dir-sync"`, `"bug": "skip-dir-snyc"`),
		"node.json":       swap(`"node": 3`, `"node": 5`),
		"collectors.json": swap(`"monitors": 5,`, `"monitors": 5, "collectors": 99,`),
		"garbage.json":    []byte("not json"),
	}
	for name, data := range cases {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		trace := filepath.Join(dir, name+".trace")
		code, out, errText := simrun(t, "replay", path, "-trace", trace)
		require.Equal(t, exitUsage, code, name)
		require.Empty(t, out, name)
		require.Contains(t, errText, "simrun: replay", name)
		_, err := os.Stat(trace)
		require.True(t, os.IsNotExist(err), "%s: a trace was written", name)
	}
}

// A saved failure replays, a cluster's and a single store's alike.
func TestReplayReproducesAPlantedBugWithTheSameHash(t *testing.T) {
	for _, bug := range []string{"recent-off-by-one", "ignore-fsync-error"} {
		dir := t.TempDir()
		code, out, _ := simrun(t, "fuzz", "-bug", bug, "-seeds", "3", "-workers", "2", "-corpus", dir, "-base", "1", "-json")
		require.Equal(t, exitViolation, code, out)
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		f, err := seedfile.Read(files[0])
		require.NoError(t, err)
		code, out, _ = simrun(t, "replay", files[0])
		require.Equal(t, exitViolation, code, "%s: %s", bug, out)
		require.Equal(t, f.TraceHash, traceHash(t, out))
	}
}

func TestFuzzJSONLinesDescribeSeedsAndSummaries(t *testing.T) {
	code, out, _ := simrun(t, "fuzz", "-scenario", "steady,kv-crash", "-seeds", "2", "-workers", "2", "-corpus", t.TempDir(), "-json")
	require.Equal(t, exitPass, code, out)
	kinds := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		kinds[m["type"].(string)]++
		if m["type"] == "summary" && m["scenario"] == "steady" {
			counters := m["counters"].(map[string]any)
			for _, c := range []string{"elections", "full_syncs", "recent_syncs", "trims", "power_losses", "process_crashes", "partitions"} {
				require.Contains(t, counters, c)
			}
		}
	}
	require.Equal(t, map[string]int{"seed": 4, "summary": 2, "probes": 1}, kinds)
}

func TestShardsSplitTheSeedSpaceWithoutOverlap(t *testing.T) {
	seen := map[uint64]int{}
	for i := range 3 {
		c := &campaign.Fuzz{Base: 100, Shard: i, Shards: 3}
		for j := range 10 {
			seen[c.SeedOf(j)]++
		}
	}
	require.Len(t, seen, 30)
	for s, n := range seen {
		require.Equal(t, 1, n, "seed %d", s)
	}
}
