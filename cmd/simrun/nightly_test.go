package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/monsim/monsim/internal/seedfile"
	"github.com/stretchr/testify/require"
)

// nightlyShard runs deploy/nightly-shard.sh, the command both nightly jobs
// run, with a freshly built simrun, and returns its exit code and output
// directory.
func nightlyShard(t *testing.T, bin string, env ...string) (int, string) {
	out := t.TempDir()
	cmd := exec.Command("sh", "../../deploy/nightly-shard.sh")
	cmd.Env = append(os.Environ(), append([]string{"SIMRUN=" + bin, "OUT=" + out, "SHARD=3", "SHARDS=8",
		"BASE=20261122000000", "WORKERS=2"}, env...)...)
	msg, err := cmd.CombinedOutput()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err, string(msg))
	}
	return code, out
}

// The nightly shard, run as the jobs run it: a clean shard exits 0 with a
// summary per scenario; a shard that finds a failure exits 1 and leaves
// each failure as a seed file that loads, with its HTML report beside it.
func TestNightlyShardFuzzesSavesAndRendersFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := simrunBinary(t)
	code, out := nightlyShard(t, bin, "DURATION=2s")
	require.Equal(t, exitPass, code)
	require.Positive(t, countLines(t, filepath.Join(out, "fuzz.jsonl"), "summary"))
	// The workflow's last job reads the shards' outputs: two seconds
	// reach some probes, not all, so the check runs and fails.
	probes := exec.Command(bin, "probes", "-check", filepath.Join(out, "fuzz.jsonl"))
	report, _ := probes.Output() // exit 1 is the verdict, checked next
	require.Equal(t, exitViolation, probes.ProcessState.ExitCode(), "%s", report)
	require.Contains(t, string(report), "never reached:")
	require.Regexp(t, `code probes: [1-9]\d* of \d+ reached over 1 runs`, string(report))

	code, out = nightlyShard(t, bin, "DURATION=3s", "BUG=recent-off-by-one")
	require.Equal(t, exitViolation, code)
	saved, _ := filepath.Glob(filepath.Join(out, "corpus", "*.json"))
	require.NotEmpty(t, saved)
	for _, f := range saved {
		_, err := seedfile.Read(f)
		require.NoError(t, err)
		page, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".html")
		require.NoError(t, err, "no report beside %s", f)
		require.Contains(t, string(page), "recent-off-by-one")
	}
	require.Positive(t, countLines(t, filepath.Join(out, "fuzz.jsonl"), "seed"))

	for _, job := range []string{"../../.github/workflows/nightly.yml", "../../deploy/k8s/nightly-fuzz.yaml"} {
		b, err := os.ReadFile(job)
		require.NoError(t, err)
		require.Contains(t, string(b), "nightly-shard", "%s must run the shard script tested here", job)
		require.Contains(t, string(b), "probes -check", "%s must check the night reached every probe", job)
	}
}

// simrunBinary builds simrun once per test process, for the tests that run
// it as a user or a job would.
func simrunBinary(t *testing.T) string {
	bin, err := builtBinary()
	require.NoError(t, err)
	return bin
}

// TestMain removes the binary simrunBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

var builtDir string

var builtBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "simrun-test-")
	if err != nil {
		return "", err
	}
	builtDir = dir
	bin := filepath.Join(dir, "simrun")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	return bin, build.Run()
})

// countLines counts the JSON lines of a fuzz -json output of one type.
func countLines(t *testing.T, path, typ string) int {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		if m["type"] == typ {
			n++
		}
	}
	return n
}
