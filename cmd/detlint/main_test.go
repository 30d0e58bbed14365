package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeModule lays out a throwaway copy of the module with the given files.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module github.com/monsim/monsim\n\ngo 1.26\n"
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	}
	return dir
}

func lint(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, dir, &out, &errOut)
	return code, out.String(), errOut.String()
}

const clean = "package sim\n\nfunc Step(n int) int { return n + 1 }\n"

func TestCleanTreeExitsZeroSilently(t *testing.T) {
	dir := writeModule(t, map[string]string{"sim/sim.go": clean})
	code, stdout, stderr := lint(t, dir)
	require.Equal(t, exitClean, code, stderr)
	require.Empty(t, stdout)
	require.Empty(t, stderr)
}

func TestFindingsArePrintedRelativeAndSortedAndExitOne(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"sim/sim.go":       "package sim\n\nimport \"time\"\n\nfunc Stamp() int64 {\n\tgo Stamp()\n\treturn time.Now().Unix()\n}\n",
		"node/sub/sub.go":  "package sub\n\nimport \"sync\"\n\nvar Mu sync.Mutex\n",
		"cmd/tool/main.go": "package main\n\nfunc main() { go main() }\n",
	})
	code, stdout, stderr := lint(t, dir, "./...")
	require.Equal(t, exitFindings, code, stderr)
	require.Equal(t, ""+
		"node/sub/sub.go:3:8: sync: import \"sync\": the simulation is single-threaded; use plain fields and kernel events\n"+
		"sim/sim.go:6:2: goroutine: go statement: the simulation is single-threaded; schedule work as kernel events and timers through the Env, and send messages with Env.Send\n"+
		"sim/sim.go:7:9: wall-clock: time.Now uses the wall clock; use the simulated clock and timers from the Env / kernel\n",
		stdout)
}

func TestBrokenPackageOutsideScopeIsIgnored(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"sim/sim.go":         clean,
		"cmd/simrun/main.go": "package main\n\nfunc main() { undefined() }\n",
	})
	code, stdout, stderr := lint(t, dir)
	require.Equal(t, exitClean, code, stderr)
	require.Empty(t, stdout)
}

func TestBrokenPackageInScopeExitsTwoButStillReports(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"node/node.go": "package node\n\nfunc Run() {\n\tgo Run()\n\tundefined()\n}\n",
	})
	code, stdout, stderr := lint(t, dir)
	require.Equal(t, exitBroken, code)
	require.Contains(t, stderr, "node/node.go:5:2")
	require.Contains(t, stdout, "node/node.go:4:2: goroutine: ")
}

func TestBadFlagIsAUsageError(t *testing.T) {
	code, _, stderr := lint(t, t.TempDir(), "-nosuchflag")
	require.Equal(t, exitBroken, code)
	require.Contains(t, stderr, "usage: detlint")
}

func TestPatternMatchingNothingIsAnError(t *testing.T) {
	dir := writeModule(t, map[string]string{"sim/sim.go": clean})
	code, _, stderr := lint(t, dir, "./nosuchdir")
	require.Equal(t, exitBroken, code)
	require.Contains(t, stderr, "nosuchdir")
}
