package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMutateBadInputExitsTwoWithOneLine(t *testing.T) {
	t.Chdir("../..")
	for _, args := range [][]string{
		{"mutate", "-n", "-1"},
		{"mutate", "-workers", "0"},
		{"mutate", "-time", "0s"},
		{"mutate", "-time", "-5s"},
		{"mutate", "-seed", "x"},
		{"mutate", "-ops", "cmp-flip,nope"},
		{"mutate", "-files", "["},
		{"mutate", "-files", "nothing/*.go"},
		{"mutate", "-equivalent", "/no/such/mutate-equivalent.txt"},
		{"mutate", "-pkgs", "./no/such/pkg"},
		{"mutate", "stray"},
	} {
		code, out, errText := simrun(t, args...)
		require.Equal(t, exitUsage, code, "%v", args)
		require.Empty(t, out, "%v", args)
		require.Equal(t, 1, strings.Count(errText, "\n"), "%v: %q", args, errText)
		require.True(t, strings.HasPrefix(errText, "simrun: mutate"), "%v: %q", args, errText)
	}
}

func TestMutateBadEquivalenceFile(t *testing.T) {
	t.Chdir("../..")
	bad := filepath.Join(t.TempDir(), "eq.txt")
	require.NoError(t, os.WriteFile(bad, []byte("node/paxos.go:1:1:cmp-flip:0\n"), 0o644))
	code, _, errText := simrun(t, "mutate", "-list", "-equivalent", bad)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errText, "has no argument")
}

func TestMutateListIsStable(t *testing.T) {
	t.Chdir("../..")
	args := []string{"mutate", "-list", "-n", "5", "-seed", "3", "-files", "node/paxos.go"}
	code, a, _ := simrun(t, args...)
	require.Equal(t, exitPass, code)
	_, b, _ := simrun(t, args...)
	require.Equal(t, a, b)
	lines := strings.Split(strings.TrimSpace(a), "\n")
	require.Len(t, lines, 5)
	for _, l := range lines {
		require.Regexp(t, `^node/paxos\.go:\d+:\d+:(cmp-flip|bound-shift|call-drop|if-negate|arg-swap):\d+\t.+ => .+$`, l)
	}
}

// fakeModule has a one-function "monitor" and a "simrun" whose fuzz
// passes only while Mode(3) is "pass". Of its four mutants two are killed
// (n > 3, !(n > 2)) and two survive (n >= 2, n > 1), unless the campaign
// is the longer 3s one.
var fakeModule = map[string]string{
	"go.mod": "module fake\n\ngo 1.26\n",
	"node/mode.go": `package node

// Mode tells the fake oracle what to do.
func Mode(n int) string {
	if n > 2 {
		return "pass"
	}
	return "kill"
}
`,
	"cmd/simrun/main.go": `package main

import (
	"fmt"
	"os"
	"strings"

	"fake/node"
)

func main() {
	args := strings.Join(os.Args[1:], " ")
	if args != "fuzz -scenario all -duration 2s -workers 1 -base 5 -json" && args != "fuzz -scenario all -duration 3s -workers 1 -base 5 -json" {
		fmt.Fprintln(os.Stderr, "unexpected oracle arguments", os.Args)
		os.Exit(2)
	}
	// The longer campaign also asks about 2: it kills the survivors.
	if strings.Contains(args, "3s") && node.Mode(2) == "pass" {
		fmt.Println(` + "`" + `{"type":"seed","scenario":"steady","seed":9,"result":"fail","check":"lease"}` + "`" + `)
		os.Exit(1)
	}
	if node.Mode(3) != "pass" {
		fmt.Println(` + "`" + `{"type":"seed","scenario":"lagging","seed":5,"result":"fail","check":"sync"}` + "`" + `)
		os.Exit(1)
	}
	fmt.Println(` + "`" + `{"type":"seed","scenario":"lagging","seed":5,"result":"pass"}` + "`" + `)
}
`,
}

func TestMutateEndToEndOnAFakeModule(t *testing.T) {
	dir := t.TempDir()
	for name, text := range fakeModule {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	t.Chdir(dir)
	survivor := "node/mode.go:5:7:cmp-flip:0"
	require.NoError(t, os.WriteFile("eq.txt", []byte(survivor+" Mode is only ever asked about 3\nnode/gone.go:1:1:cmp-flip:0 stale, but of a file not selected\n"), 0o644))

	code, out, errText := simrun(t, "mutate", "-time", "2s", "-base", "5", "-workers", "2", "-o", "r.md")
	require.Equal(t, exitPass, code, "%s%s", out, errText)
	require.Contains(t, out, "mutate: 4 mutants, judging 4")
	require.Contains(t, out, "killed 2, survived 2, not viable 0, equivalent 0; score 50.0%")
	rep, err := os.ReadFile("r.md")
	require.NoError(t, err)
	require.Contains(t, string(rep), "## Survivors (2)")
	require.Contains(t, string(rep), "`"+survivor+"`")
	require.Contains(t, string(rep), "-\tif n > 2 {\n+\tif n >= 2 {\n")
	require.Contains(t, string(rep), "| sync | 2 |")
	require.Contains(t, string(rep), "lagging 5")

	code, out, _ = simrun(t, "mutate", "-time", "2s", "-base", "5", "-workers", "2", "-o", "r2.md", "-equivalent", "eq.txt")
	require.Equal(t, exitPass, code)
	require.Contains(t, out, "judging 3 (all; 1 listed equivalent)")
	require.Contains(t, out, "killed 2, survived 1, not viable 0, equivalent 1; score 66.7%")
	rep, err = os.ReadFile("r2.md")
	require.NoError(t, err)
	require.Contains(t, string(rep), "Mode is only ever asked about 3")
	require.NotContains(t, string(rep), "Stale")

	code, out, _ = simrun(t, "mutate", "-time", "2s", "-base", "5", "-workers", "2", "-o", "r3.md", "-survivor-time", "3s")
	require.Equal(t, exitPass, code)
	require.Contains(t, out, "re-running 2 survivors for 3s each")
	require.Contains(t, out, "killed 4, survived 0, not viable 0, equivalent 0; score 100.0%")
	rep, err = os.ReadFile("r3.md")
	require.NoError(t, err)
	require.Contains(t, string(rep), "survivors re-run for 3s each: 2 killed on the re-run")
	require.Contains(t, string(rep), "lease (re-run)")

	left, err := filepath.Glob(".simrun-*")
	require.NoError(t, err)
	require.Empty(t, left, "temp report files left behind")
}
