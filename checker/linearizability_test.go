package checker

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/monsim/monsim/node"
)

const ms = int64(time.Millisecond)

func put(c int, key, val string, call, ret int64) KVOp {
	return KVOp{Client: c, Kind: node.OpPut, Key: key, Value: val, Status: node.StatusOK, Call: call, Return: ret}
}

func get(c int, key, out string, found bool, call, ret int64) KVOp {
	return KVOp{Client: c, Kind: node.OpGet, Key: key, Found: found, Out: out, Status: node.StatusOK, Call: call, Return: ret}
}

func cas(c int, key, expect, val string, st node.Status, call, ret int64) KVOp {
	return KVOp{Client: c, Kind: node.OpCas, Key: key, Expect: expect, Value: val, Status: st, Call: call, Return: ret}
}

func del(c int, key string, call, ret int64) KVOp {
	return KVOp{Client: c, Kind: node.OpDelete, Key: key, Status: node.StatusOK, Call: call, Return: ret}
}

func unknown(op KVOp) KVOp {
	op.Unknown, op.Return, op.Status = true, 0, 0
	return op
}

func TestLinearizabilityVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		ops     []KVOp
		verdict Verdict
		reason  []string // substrings of the violation's reason
	}{
		{
			name: "stale read after an acknowledged put is illegal",
			ops: []KVOp{
				put(0, "x", "1", 0, 10*ms),
				get(1, "x", "", false, 20*ms, 30*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`key "x"`, `client 1 get("x") -> absent`, "called at 0.020000s"},
		},
		{
			name: "read of an overwritten value is illegal",
			ops: []KVOp{
				put(0, "x", "1", 0, 10*ms),
				put(0, "x", "2", 20*ms, 30*ms),
				get(1, "x", "1", true, 40*ms, 50*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`get("x") -> "1"`},
		},
		{
			name: "a read concurrent with a put may see the old value",
			ops: []KVOp{
				put(0, "x", "1", 0, 100*ms),
				get(1, "x", "", false, 10*ms, 20*ms),
			},
			verdict: VerdictOK,
		},
		{
			name: "a read concurrent with a put may see the new value",
			ops: []KVOp{
				put(0, "x", "1", 0, 100*ms),
				get(1, "x", "1", true, 10*ms, 20*ms),
			},
			verdict: VerdictOK,
		},
		{
			name: "concurrent reads may not see the new value and then the old one",
			ops: []KVOp{
				put(0, "x", "1", 0, 100*ms),
				get(1, "x", "1", true, 10*ms, 20*ms),
				get(2, "x", "", false, 30*ms, 40*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`client 2 get("x") -> absent`},
		},
		{
			name: "an unknown-outcome put may not have happened",
			ops: []KVOp{
				unknown(put(0, "x", "1", 0, 0)),
				get(1, "x", "", false, 500*ms, 510*ms),
			},
			verdict: VerdictOK,
		},
		{
			name: "an unknown-outcome put may have happened long after its call",
			ops: []KVOp{
				unknown(put(0, "x", "1", 0, 0)),
				get(1, "x", "", false, 500*ms, 510*ms),
				get(1, "x", "1", true, 900*ms, 910*ms),
			},
			verdict: VerdictOK,
		},
		{
			name: "an unknown-outcome put cannot un-happen",
			ops: []KVOp{
				unknown(put(0, "x", "1", 0, 0)),
				get(1, "x", "1", true, 500*ms, 510*ms),
				get(1, "x", "", false, 900*ms, 910*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`client 1 get("x") -> absent`},
		},
		{
			name: "an unknown-outcome put cannot take effect before its call",
			ops: []KVOp{
				get(1, "x", "1", true, 0, 10*ms),
				unknown(put(0, "x", "1", 20*ms, 0)),
			},
			verdict: VerdictIllegal,
		},
		{
			name: "a cas mismatch that could not have happened is illegal",
			ops: []KVOp{
				put(0, "x", "a", 0, 10*ms),
				cas(1, "x", "a", "b", node.StatusMismatch, 20*ms, 30*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`cas("x", "a"->"b") -> mismatch`},
		},
		{
			name: "a cas that found its value succeeds and changes it",
			ops: []KVOp{
				put(0, "x", "a", 0, 10*ms),
				cas(1, "x", "a", "b", node.StatusOK, 20*ms, 30*ms),
				cas(2, "x", "a", "c", node.StatusMismatch, 40*ms, 50*ms),
				get(0, "x", "b", true, 60*ms, 70*ms),
			},
			verdict: VerdictOK,
		},
		{
			name: "a cas on an absent key never matches",
			ops: []KVOp{
				cas(1, "x", "", "b", node.StatusOK, 20*ms, 30*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`cas("x", ""->"b") -> ok`},
		},
		{
			name: "a delete removes the key",
			ops: []KVOp{
				put(0, "x", "a", 0, 10*ms),
				del(0, "x", 20*ms, 30*ms),
				get(1, "x", "", false, 40*ms, 50*ms),
				cas(1, "x", "a", "b", node.StatusMismatch, 60*ms, 70*ms),
			},
			verdict: VerdictOK,
		},
		{
			name: "an unknown-outcome cas is accepted whether it matched or not",
			ops: []KVOp{
				put(0, "x", "a", 0, 10*ms),
				unknown(cas(1, "x", "a", "b", 0, 20*ms, 0)),
				get(2, "x", "b", true, 40*ms, 50*ms),
			},
			verdict: VerdictOK,
		},
		{
			name: "keys are checked apart and only the bad one is named",
			ops: []KVOp{
				put(0, "a", "1", 0, 10*ms),
				get(1, "a", "1", true, 20*ms, 30*ms),
				put(0, "b", "1", 0, 10*ms),
				get(1, "b", "2", true, 20*ms, 30*ms),
				put(0, "c", "1", 0, 10*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`key "b"`, `get("b") -> "2"`},
		},
		{
			name: "several bad keys are listed, sorted",
			ops: []KVOp{
				get(1, "z", "1", true, 20*ms, 30*ms),
				get(1, "m", "1", true, 20*ms, 30*ms),
				get(1, "a", "1", true, 20*ms, 30*ms),
			},
			verdict: VerdictIllegal,
			reason:  []string{`key "a"`, `2 more keys fail: "m" "z"`},
		},
		{
			name:    "an empty history is linearizable",
			verdict: VerdictOK,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := CheckLinearizable(tc.ops, 0)
			require.Equal(t, tc.verdict, res.Verdict, "note: %s", res.Note)
			if tc.verdict != VerdictIllegal {
				require.Nil(t, res.Violation)
				return
			}
			require.NotNil(t, res.Violation)
			require.Equal(t, NameLinearizability, res.Violation.Checker)
			require.Equal(t, -1, res.Violation.Node)
			t.Log(res.Violation)
			for _, s := range tc.reason {
				require.Contains(t, res.Violation.Reason, s)
			}
		})
	}
}

func TestLinearizabilityViolationNamesWhenTheBadReadReturned(t *testing.T) {
	res := CheckLinearizable([]KVOp{
		put(0, "x", "1", 0, 10*ms),
		get(1, "x", "", false, 20*ms, 35*ms),
	}, 0)
	require.Equal(t, VerdictIllegal, res.Verdict)
	require.Equal(t, 35*ms, res.Violation.At)
	require.Contains(t, res.Violation.String(), "linearizability: key \"x\"")
}

func TestLinearizabilityIllegalReasonIsTheSameEveryRun(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ops := syntheticHistory(r, 400, 8, 5)
	ops[len(ops)/2] = get(3, ops[len(ops)/2].Key, "never-written", true, ops[len(ops)/2].Call, ops[len(ops)/2].Call+ms)
	first := CheckLinearizable(ops, 0)
	require.Equal(t, VerdictIllegal, first.Verdict)
	for range 5 {
		again := CheckLinearizable(ops, 0)
		require.Equal(t, *first.Violation, *again.Violation)
	}
}

func TestLinearizabilityTimeoutIsUnknownNeverOK(t *testing.T) {
	// Forty mutually concurrent puts of distinct values and a read of a
	// value nobody wrote: proving it illegal means trying every subset of
	// the puts, far beyond a millisecond.
	var ops []KVOp
	for i := range 40 {
		ops = append(ops, put(i, "x", fmt.Sprint(i), 0, 1000*ms))
	}
	ops = append(ops, get(40, "x", "nobody", true, 0, 1000*ms))
	res := CheckLinearizable(ops, time.Millisecond)
	require.Equal(t, VerdictUnknown, res.Verdict)
	require.Nil(t, res.Violation)
	require.Contains(t, res.Note, "no verdict within 1ms")
}

func TestLinearizabilityRejectsMalformedOpsAsUnknown(t *testing.T) {
	cases := map[string]KVOp{
		"retry status":          {Kind: node.OpPut, Key: "x", Status: node.StatusRetry},
		"mismatch on a put":     {Kind: node.OpPut, Key: "x", Status: node.StatusMismatch},
		"return before call":    put(0, "x", "1", 10, 5),
		"unknown kind":          {Kind: 0, Key: "x", Status: node.StatusOK},
		"status never recorded": {Kind: node.OpGet, Key: "x"},
	}
	for name, op := range cases {
		t.Run(name, func(t *testing.T) {
			res := CheckLinearizable([]KVOp{put(0, "x", "0", 0, 1), op}, 0)
			require.Equal(t, VerdictUnknown, res.Verdict)
			require.Contains(t, res.Note, "op #1")
		})
	}
}

func TestLinearizabilityResultCanBeVisualized(t *testing.T) {
	res := CheckLinearizable([]KVOp{
		put(0, "x", "1", 0, 10*ms),
		unknown(put(2, "y", "1", 5*ms, 0)),
		get(1, "x", "", false, 20*ms, 30*ms),
	}, 0)
	require.Equal(t, VerdictIllegal, res.Verdict)
	var html bytes.Buffer
	require.NoError(t, porcupine.Visualize(res.Model, res.Info, &html))
	require.Contains(t, html.String(), `put(\"y\", \"1\") -\u003e ?`)
}

func TestDescribeOp(t *testing.T) {
	d := func(op KVOp) string {
		res := CheckLinearizable([]KVOp{op}, 0)
		return describeOp(res.Ops[0].Input.(*KVOp))
	}
	require.Equal(t, `get("k") -> "v"`, d(get(0, "k", "v", true, 0, 1)))
	require.Equal(t, `get("k") -> absent`, d(get(0, "k", "", false, 0, 1)))
	require.Equal(t, `put("k", "v") -> ok`, d(put(0, "k", "v", 0, 1)))
	require.Equal(t, `delete("k") -> ok`, d(del(0, "k", 0, 1)))
	require.Equal(t, `cas("k", "a"->"b") -> mismatch`, d(cas(0, "k", "a", "b", node.StatusMismatch, 0, 1)))
	require.Equal(t, `put("k", "v") -> ?`, d(unknown(put(0, "k", "v", 0, 1))))
}

func TestHistoriesFromALinearExecutionAreLinearizable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		n := rapid.IntRange(1, 200).Draw(t, "ops")
		keys := rapid.IntRange(1, 6).Draw(t, "keys")
		ops := syntheticHistory(rand.New(rand.NewPCG(seed, 0)), n, keys, 4)
		res := CheckLinearizable(ops, 0)
		if res.Verdict != VerdictOK {
			t.Fatalf("verdict %s: %v %s", res.Verdict, res.Violation, res.Note)
		}
	})
}

// syntheticHistory runs n random operations on a sequential map, each
// taking effect at its own instant, and stretches each into an interval
// around that instant, so the history is linearizable by construction and
// its operations overlap a few of their neighbours. A few writes end with
// an unknown outcome (they still took effect).
func syntheticHistory(r *rand.Rand, n, keys, clients int) []KVOp {
	state := map[string]string{}
	ops := make([]KVOp, 0, n)
	at := int64(time.Second)
	const us = int64(time.Microsecond)
	for i := range n {
		at += 1 + r.Int64N(20*us)
		key := fmt.Sprintf("k%03d", r.IntN(keys))
		val := fmt.Sprintf("v%d", i)
		cur, found := state[key]
		op := KVOp{Client: i % clients, Key: key, Status: node.StatusOK}
		switch k := r.IntN(10); {
		case k < 4:
			op.Kind, op.Found, op.Out = node.OpGet, found, cur
		case k < 7:
			op.Kind, op.Value = node.OpPut, val
			state[key] = val
		case k < 9:
			op.Kind, op.Value, op.Expect = node.OpCas, val, cur
			if r.IntN(3) == 0 {
				op.Expect = "other"
			}
			if found && op.Expect == cur {
				state[key] = val
			} else {
				op.Status = node.StatusMismatch
			}
		default:
			op.Kind = node.OpDelete
			delete(state, key)
		}
		op.Call = at - r.Int64N(50*us)
		op.Return = at + r.Int64N(50*us)
		if op.Kind != node.OpGet && r.IntN(50) == 0 {
			op.Unknown, op.Status = true, 0
		}
		ops = append(ops, op)
	}
	return ops
}

func BenchmarkCheckLinearizable(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			ops := syntheticHistory(rand.New(rand.NewPCG(7, 7)), n, n/100, 8)
			for b.Loop() {
				if res := CheckLinearizable(ops, 0); res.Verdict != VerdictOK {
					b.Fatalf("verdict %s", res.Verdict)
				}
			}
		})
	}
}
