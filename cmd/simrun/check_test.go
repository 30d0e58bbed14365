package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/internal/history"
	"github.com/monsim/monsim/node"
)

// checkCode runs cmdCheck and maps its error to an exit code as mainCode
// does, so these tests hold before and after the command is registered.
func checkCode(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cmdCheck(args, &out, &errb)
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		code = exitPass
	case errors.As(err, &ue):
		code = exitUsage
		fmt.Fprintln(&errb, "simrun: "+ue.msg)
	case errors.As(err, &ee):
		code = ee.code
	default:
		t.Fatalf("cmdCheck returned an unmapped error: %v", err)
	}
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func monsimHistory(t *testing.T, staleOut string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, history.Encode(&b, []checker.KVOp{
		{Client: 0, Kind: node.OpPut, Key: "k", Value: "a", Status: node.StatusOK, Call: 10, Return: 20},
		{Client: 1, Kind: node.OpPut, Key: "k", Value: "b", Status: node.StatusOK, Call: 30, Return: 40},
		{Client: 2, Kind: node.OpGet, Key: "k", Status: node.StatusOK, Found: true, Out: staleOut, Call: 50, Return: 60},
	}))
	return writeFile(t, "history.json", b.Bytes())
}

func TestCheckLinearizableHistoryExitsZero(t *testing.T) {
	code, out, errText := checkCode(t, monsimHistory(t, "b"))
	require.Equal(t, exitPass, code)
	require.Equal(t, "linearizable\n", out)
	require.Empty(t, errText)
}

func TestCheckViolationExitsOneWithOneLineOfDetail(t *testing.T) {
	code, out, _ := checkCode(t, monsimHistory(t, "a"))
	require.Equal(t, exitViolation, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, out)
	require.Equal(t, "not linearizable", lines[0])
	require.True(t, strings.HasPrefix(lines[1], `key "k": no order of its 3 ops is legal`), lines[1])

	jepsen := writeFile(t, "etcd.log", []byte("INFO  jepsen.util - 0\t:invoke\t:write\t1\n"+
		"INFO  jepsen.util - 0\t:ok\t:write\t1\n"+
		"INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"+
		"INFO  jepsen.util - 1\t:ok\t:read\tnil\n"))
	code, out, _ = checkCode(t, jepsen)
	require.Equal(t, exitViolation, code)
	require.Equal(t, "not linearizable\nthe register: no order of its 2 ops is legal (the longest legal prefix has 1); "+
		"first op no order reaches: process 1 read() -> nil, line 3-4\n", out)
}

// 22 concurrent writes and a read of a value none wrote: no search refutes
// it within a nanosecond.
func TestCheckTimeoutExitsFour(t *testing.T) {
	var b strings.Builder
	b.WriteString("INFO  jepsen.util - 99\t:invoke\t:read\tnil\n")
	for p := range 22 {
		fmt.Fprintf(&b, "INFO  jepsen.util - %d\t:invoke\t:write\t%d\n", p, p)
	}
	for p := range 22 {
		fmt.Fprintf(&b, "INFO  jepsen.util - %d\t:ok\t:write\t%d\n", p, p)
	}
	b.WriteString("INFO  jepsen.util - 99\t:ok\t:read\t1000\n")
	path := writeFile(t, "hard.log", []byte(b.String()))
	code, out, _ := checkCode(t, path, "-timeout", "1ns") // FILE -flag order works too
	require.Equal(t, exitUnknown, code)
	require.Equal(t, "unknown (timeout)\n", out)
}

func TestCheckBadInputExitsTwoWithOneLine(t *testing.T) {
	malformed := writeFile(t, "bad.edn", []byte("{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :read, :value \"x}\n"))
	unknown := writeFile(t, "notes.txt", []byte("hello\n"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "simrun: check: needs one history file\n"},
		{[]string{"a", "b"}, `simrun: check: unexpected argument "b"` + "\n"},
		{[]string{"-timeout", "soon", malformed}, "simrun: check: invalid value \"soon\" for flag -timeout: not a duration"},
		{[]string{"-frob", malformed}, "simrun: check: flag provided but not defined: -frob\n"},
		{[]string{"/no/such/history.json"}, "simrun: check: open /no/such/history.json: no such file or directory\n"},
		{[]string{t.TempDir()}, "is a directory\n"},
		{[]string{malformed}, "simrun: check: " + malformed + ": line 2: column 42: unterminated string\n"},
		{[]string{unknown}, "simrun: check: " + unknown + ": unknown history format: line 1 begins \"hello\""},
	} {
		code, out, errText := checkCode(t, tc.args...)
		require.Equal(t, exitUsage, code, "%v", tc.args)
		require.Empty(t, out, "%v", tc.args)
		require.Equal(t, 1, strings.Count(errText, "\n"), "%v: %q", tc.args, errText)
		require.Contains(t, errText, tc.want, "%v", tc.args)
	}
}

// Through mainCode, once main.go registers the command.
func TestSimrunCheckExitCodes(t *testing.T) {
	registered := false
	for _, c := range commands() {
		registered = registered || c.name == "check"
	}
	if !registered {
		t.Skip("the check command is not registered in main.go yet")
	}
	code, out, _ := simrun(t, "check", monsimHistory(t, "b"))
	require.Equal(t, exitPass, code, out)
	code, out, _ = simrun(t, "check", monsimHistory(t, "a"))
	require.Equal(t, exitViolation, code, out)
	code, out, errText := simrun(t, "check", "/no/such/history.json")
	require.Equal(t, exitUsage, code)
	require.Empty(t, out)
	require.Equal(t, 1, strings.Count(errText, "\n"), errText)
}
