package history

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/node"
)

// The parallel search checks every key at once and names the first in
// sorted order that fails, whichever search finishes first. Under -race
// this is the test of its goroutines.
func TestExplainNamesTheFirstFailingKeyInSortedOrder(t *testing.T) {
	var edn strings.Builder
	line := func(p int, typ, f, key, value string) {
		fmt.Fprintf(&edn, "{:process %d, :type :%s, :f :%s, :key %q, :value %s}\n", p, typ, f, key, value)
	}
	for i, key := range []string{"e", "d", "c", "b", "a"} {
		line(i, "invoke", "put", key, `"x"`)
		line(i, "ok", "put", key, `"x"`)
	}
	for i, key := range []string{"e", "d", "c", "b", "a"} {
		read := `"x"`
		if key == "d" || key == "b" { // stale: an empty read after the put
			read = `""`
		}
		line(i, "invoke", "get", key, "nil")
		line(i, "ok", "get", key, read)
	}
	for range 20 { // the order of the searches varies from run to run; the detail must not
		res := check(t, []byte(edn.String()))
		require.Equal(t, VerdictNotLinearizable, res.Verdict)
		require.Equal(t, `key "b": no order of its 2 ops is legal (the longest legal prefix has 1); `+
			`first op no order reaches: process 3 get("b") -> "", line 17-18`, res.Detail)
	}

	var ops []checker.KVOp
	for i, key := range []string{"k3", "k2", "k1"} {
		ops = append(ops,
			checker.KVOp{Client: i, Kind: node.OpPut, Key: key, Value: "a", Status: node.StatusOK, Call: 10, Return: 20},
			checker.KVOp{Client: i, Kind: node.OpGet, Key: key, Status: node.StatusOK, Found: key != "k3", Out: "a", Call: 30, Return: 40})
		if key != "k3" {
			ops[len(ops)-1].Out = "stale"
		}
	}
	res := check(t, encode(t, ops))
	require.Equal(t, VerdictNotLinearizable, res.Verdict)
	require.True(t, strings.HasPrefix(res.Detail, `key "k1": no order of its 2 ops`), res.Detail)
}

// A key no search decides within the limit is skipped, even when it sorts
// first: the detail names a key proved illegal. Key "a" is hardHistory's
// (22 concurrent writes and a read of a value none wrote), key "b" a stale
// read; the verdict comes from the check that stops at "b".
func TestExplainSkipsAKeyUndecidedWithinTheLimit(t *testing.T) {
	var edn strings.Builder
	line := func(p int, typ, f, key string, value any) {
		fmt.Fprintf(&edn, "{:process %d, :type :%s, :f :%s, :key %q, :value %v}\n", p, typ, f, key, value)
	}
	line(99, "invoke", "read", "a", "nil")
	for p := range 22 {
		line(p, "invoke", "write", "a", p)
	}
	for p := range 22 {
		line(p, "ok", "write", "a", p)
	}
	line(99, "ok", "read", "a", 1000)
	line(100, "invoke", "write", "b", 1)
	line(100, "ok", "write", "b", 1)
	line(100, "invoke", "read", "b", "nil")
	line(100, "ok", "read", "b", "nil")

	res, err := Check([]byte(edn.String()), 500*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, VerdictNotLinearizable, res.Verdict, res.Detail)
	require.Equal(t, `key "b": no order of its 2 ops is legal (the longest legal prefix has 1); `+
		`first op no order reaches: process 100 read("b") -> nil, line 49-50`, res.Detail)
}
