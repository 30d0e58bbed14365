package mutate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeOracle is a tiny module whose "simrun" does what node.Mode says,
// printing lines in the shape of `simrun fuzz -json`.
var fakeOracle = map[string]string{
	"go.mod": "module fake\n\ngo 1.26\n",
	"node/mode.go": `package node

const Mode = "pass"
`,
	"cmd/simrun/main.go": `package main

import (
	"fmt"
	"os"
	"time"

	"fake/node"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != "-duration" {
		fmt.Fprintln(os.Stderr, "bad args", os.Args)
		os.Exit(2)
	}
	pass := ` + "`" + `{"type":"seed","scenario":"steady","seed":1,"result":"pass"}` + "`" + `
	summary := func(seeds int, probes string) {
		fmt.Printf(` + "`" + `{"type":"summary","scenario":"steady","seeds":%d,"probes":{%s}}` + "`" + `+"\n", seeds, probes)
	}
	switch node.Mode {
	case "pass":
		fmt.Println(pass)
		summary(10, ` + "`" + `"a/often":30,"b/rare":2` + "`" + `)
	case "lost": // a path the unmutated build takes 3 times a seed is gone
		summary(10, ` + "`" + `"b/rare":2` + "`" + `)
	case "rarelost": // a rare one may miss
		summary(10, ` + "`" + `"a/often":30` + "`" + `)
	case "few": // too few seeds to expect 20 hits of a/often
		summary(6, ` + "`" + `"b/rare":1` + "`" + `)
	case "kill":
		fmt.Println(pass)
		fmt.Println(` + "`" + `{"type":"seed","scenario":"partition","seed":7,"result":"fail","check":"ledger"}` + "`" + `)
		time.Sleep(time.Minute) // the runner must stop at the first failing seed
	case "hang":
		time.Sleep(time.Hour)
	case "crash":
		panic("boom")
	case "exit1":
		os.Exit(1)
	}
}
`,
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	return dir
}

// modeMutant replaces "pass" in node/mode.go with text.
func modeMutant(line int, text string) Mutant {
	start := strings.Index(fakeOracle["node/mode.go"], `"pass"`)
	return Mutant{File: "node/mode.go", Line: line, Col: 1, Op: CallDrop,
		Edits: []Edit{{Start: start, End: start + len(`"pass"`), New: text}}}
}

func TestRunnerClassifies(t *testing.T) {
	root := writeTree(t, fakeOracle)
	r := &Runner{Root: root, Workers: 2, Grace: time.Second,
		Oracle: func(d time.Duration) []string { return []string{"-duration", d.String()} }}
	require.NoError(t, r.Prepare())
	defer r.Close()
	ctx := context.Background()

	base := r.Baseline(ctx, time.Second)
	require.Equal(t, Survived, base.Status, base.Detail)

	ms := []Mutant{
		modeMutant(1, `"pass"`), modeMutant(2, `"kill"`), modeMutant(3, `"hang"`),
		modeMutant(4, `"crash"`), modeMutant(5, `"exit1"`), modeMutant(6, `pass`),
		modeMutant(7, `"lost"`), modeMutant(8, `"rarelost"`), modeMutant(9, `"few"`),
	}
	start := time.Now()
	res := r.Run(ctx, ms, time.Second)
	require.Less(t, time.Since(start), 30*time.Second, "the kill mutant's oracle was not stopped at its first failure")

	type verdict struct {
		Status           Status
		Reason, Scenario string
		Seed             uint64
	}
	var got []verdict
	for i, x := range res {
		require.Equal(t, ms[i].ID(), x.Mutant.ID())
		got = append(got, verdict{x.Status, x.Reason, x.Scenario, x.Seed})
	}
	require.Equal(t, []verdict{
		{Survived, "", "", 0},
		{Killed, "ledger", "partition", 7},
		{Killed, ReasonTimeout, "", 0},
		{Killed, ReasonCrash, "", 0},
		{Killed, ReasonViolation, "", 0},
		{NotViable, "", "", 0},
		{Killed, ReasonProbes, "", 0},
		{Survived, "", "", 0},
		{Survived, "", "", 0},
	}, got)
	require.Equal(t, "never reached a/often (the unmutated build: 30 hits in 10 seeds; this one ran 10 seeds)", res[6].Detail)
	require.True(t, res[1].HasSeed)
	require.Less(t, res[1].ToKill, 10*time.Second)
	require.GreaterOrEqual(t, res[2].ToKill, 2*time.Second) // time plus grace
	require.Equal(t, "panic: boom", res[3].Detail)
	require.Contains(t, res[5].Detail, "undefined: pass")

	// Every copy is back to the unmutated source, and the original was
	// never touched.
	for _, w := range r.workers {
		b, err := os.ReadFile(filepath.Join(w.dir, "node", "mode.go"))
		require.NoError(t, err)
		require.Equal(t, fakeOracle["node/mode.go"], string(b))
	}
	b, err := os.ReadFile(filepath.Join(root, "node", "mode.go"))
	require.NoError(t, err)
	require.Equal(t, fakeOracle["node/mode.go"], string(b))
}

func TestRunnerStopsOnCancel(t *testing.T) {
	root := writeTree(t, fakeOracle)
	r := &Runner{Root: root, Workers: 1, Grace: time.Minute,
		Oracle: func(d time.Duration) []string { return []string{"-duration", d.String()} }}
	require.NoError(t, r.Prepare())
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r.Progress = func(Result) { cancel() }
	start := time.Now()
	res := r.Run(ctx, []Mutant{modeMutant(1, `"kill"`), modeMutant(2, `"hang"`), modeMutant(3, `"pass"`)}, time.Hour)
	require.Less(t, time.Since(start), 30*time.Second)
	require.Equal(t, Killed, res[0].Status)
	require.Equal(t, Aborted, res[1].Status) // the hang was never judged: no verdict
	require.Equal(t, Aborted, res[2].Status)
}
