package checker

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/monsim/monsim/node"
)

// Jepsen ops as internal/history decodes them: times are lines.
func read(p int, out string, call, ret int64) KVOp {
	return KVOp{Client: p, Family: FamilyJepsenRegister, Kind: node.OpGet, Found: out != "nil", Out: out,
		Status: node.StatusOK, Call: call, Return: ret}
}

func write(p int, val string, call, ret int64) KVOp {
	return KVOp{Client: p, Family: FamilyJepsenRegister, Kind: node.OpPut, Value: val, Status: node.StatusOK, Call: call, Return: ret}
}

func casNil(p int, val string, call, ret int64) KVOp {
	return KVOp{Client: p, Family: FamilyJepsenRegister, Kind: node.OpCas, ExpectAbsent: true, Value: val,
		Status: node.StatusOK, Call: call, Return: ret}
}

func kvGet(p int, key, out string, call, ret int64) KVOp {
	return KVOp{Client: p, Family: FamilyJepsenKV, Kind: node.OpGet, Key: key, Out: out, Status: node.StatusOK, Call: call, Return: ret}
}

func kvAppend(p int, key, val string, call, ret int64) KVOp {
	return KVOp{Client: p, Family: FamilyJepsenKV, Kind: node.OpPut, Append: true, Key: key, Value: val,
		Status: node.StatusOK, Call: call, Return: ret}
}

func TestJepsenFamiliesAreDataInTheOneModel(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ops     []KVOp
		verdict Verdict
		reason  string
	}{
		{"an empty register reads nil", []KVOp{read(0, "nil", 1, 2)}, VerdictOK, ""},
		{"a written register does not read nil", []KVOp{write(0, "3", 1, 2), read(1, "nil", 3, 4)}, VerdictIllegal,
			"the register: no order of its 2 ops is legal (the longest legal prefix has 1); " +
				"first op no order reaches: process 1 read() -> nil, line 3-4"},
		{"cas [nil v] applies to an empty register", []KVOp{casNil(0, "1", 1, 2), read(1, "1", 3, 4)}, VerdictOK, ""},
		{"cas [nil v] does not apply to a written one", []KVOp{write(0, "1", 1, 2), casNil(1, "2", 3, 4)}, VerdictIllegal,
			"process 1 cas(nil->2), line 3-4"},
		{"an absent key-value key reads as empty", []KVOp{kvGet(0, "k", "", 1, 2)}, VerdictOK, ""},
		{"append concatenates, starting from empty", []KVOp{kvAppend(0, "k", "a", 1, 2), kvAppend(0, "k", "b", 3, 4),
			kvGet(1, "k", "ab", 5, 6)}, VerdictOK, ""},
		{"a get that misses an append is stale", []KVOp{kvAppend(0, "k", "a", 1, 2), kvAppend(0, "k", "b", 3, 4),
			kvGet(1, "k", "a", 5, 6)}, VerdictIllegal, `key "k": no order of its 3 ops is legal (the longest legal prefix has 2); ` +
			`first op no order reaches: process 1 get("k") -> "a", line 5-6`},
	} {
		t.Run(tc.name, func(t *testing.T) { requireLinVerdict(t, tc.ops, tc.verdict, tc.reason) })
	}
}

func TestDescribeJepsenOpsInJepsensWords(t *testing.T) {
	keyed := func(op KVOp) KVOp { op.Key = "k"; return op }
	unknown := func(op KVOp) KVOp { op.Unknown = true; return op }
	for want, op := range map[string]KVOp{
		`read() -> nil`:       read(0, "nil", 1, 2),
		`read("k") -> "x"`:    keyed(read(0, `"x"`, 1, 2)),
		`write(:a)`:           write(0, ":a", 1, 2),
		`write("k", 1) -> ?`:  unknown(keyed(write(0, "1", 1, 2))),
		`cas("k", nil->2)`:    keyed(casNil(0, "2", 1, 2)),
		`get("k") -> ""`:      kvGet(0, "k", "", 1, 2),
		`append("k", "x y")`:  kvAppend(0, "k", "x y", 1, 2),
		`put("k", "v") -> ?`:  unknown(KVOp{Family: FamilyJepsenKV, Kind: node.OpPut, Key: "k", Value: "v"}),
		`get() -> "keyless"`:  kvGet(0, "", "keyless", 1, 2),
		`put("k", "v") -> ok`: put(0, "k", "v", 1, 2), // the config keys' own words
		`get("k") -> absent`:  get(0, "k", "", false, 1, 2),
	} {
		require.Equal(t, want, describeOp(&op))
	}
}

func TestValidateRefusesJepsenFieldsOutOfPlace(t *testing.T) {
	for want, op := range map[string]KVOp{
		"only a Jepsen key-value put appends":                  {Kind: node.OpPut, Append: true, Status: node.StatusOK},
		"only a Jepsen register cas expects an empty register": {Family: FamilyJepsenRegister, Kind: node.OpPut, ExpectAbsent: true},
		"unknown family 7":                                     {Family: 7, Kind: node.OpGet, Status: node.StatusOK},
		"unknown kind op-9":                                    {Kind: 9},
		`put with status "" is no final outcome`:               {Kind: node.OpPut},
		"returns at 1, before its call at 2":                   {Kind: node.OpGet, Status: node.StatusOK, Call: 2, Return: 1},
		`get with status "mismatch" is no final outcome`:       {Kind: node.OpGet, Status: node.StatusMismatch},
	} {
		require.ErrorContains(t, op.Validate(), want)
	}
	ok := kvAppend(0, "k", "x", 1, 2)
	require.NoError(t, ok.Validate())
}

func TestSplitByKeySortsKeysAndKeepsHistoryOrder(t *testing.T) {
	ops := []KVOp{put(0, "b", "1", 0, 1), put(1, "a", "1", 0, 1), get(2, "b", "1", true, 2, 3), put(3, "", "x", 0, 1)}
	require.Equal(t, [][]KVOp{{ops[3]}, {ops[1]}, {ops[0], ops[2]}}, SplitByKey(ops))
	require.Empty(t, SplitByKey(nil))
}

// LinVerdict stops at the first illegal key, CheckLinearizable searches
// every key to the end; with no time limit they must agree.
func TestLinVerdictAgreesWithCheckLinearizable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		ops := syntheticHistory(rand.New(rand.NewPCG(seed, 1)), rapid.IntRange(1, 120).Draw(t, "ops"),
			rapid.IntRange(1, 5).Draw(t, "keys"), 4)
		for _, i := range rapid.SliceOfNDistinct(rapid.IntRange(0, len(ops)-1), 0, 3, rapid.ID[int]).Draw(t, "stale") {
			if ops[i].Kind == node.OpGet {
				ops[i].Found, ops[i].Out = true, fmt.Sprint("stale-", i)
			}
		}
		full := CheckLinearizable(ops, 0)
		verdict, note := LinVerdict(ops, 0)
		if verdict != full.Verdict {
			t.Fatalf("LinVerdict %s (%s), CheckLinearizable %s (%v)", verdict, note, full.Verdict, full.Violation)
		}
	})
}

// A delete-prefix is checked as a delete of each key of the history that
// starts with its prefix: a get after it that still finds one of those
// keys is caught, a key outside the prefix keeps its value.
func TestDeletePrefixIsADeleteOfEachOfItsKeys(t *testing.T) {
	put := func(c int, key, val string, call, ret int64) KVOp {
		return KVOp{Client: c, Kind: node.OpPut, Key: key, Value: val, Status: node.StatusOK, Call: call, Return: ret}
	}
	get := func(c int, key, out string, call, ret int64) KVOp {
		return KVOp{Client: c, Kind: node.OpGet, Key: key, Found: out != "", Out: out, Status: node.StatusOK, Call: call, Return: ret}
	}
	delPrefix := KVOp{Client: 1, Kind: node.OpDeletePrefix, Key: "k1", Status: node.StatusOK, Call: 30, Return: 40}
	for _, tc := range []struct {
		name    string
		ops     []KVOp
		verdict Verdict
		reason  string
	}{
		{"its keys are gone, others stay", []KVOp{put(0, "k1", "a", 1, 2), put(0, "k12", "b", 3, 4), put(0, "k2", "c", 5, 6),
			delPrefix, get(2, "k1", "", 50, 60), get(2, "k12", "", 61, 62), get(2, "k2", "c", 63, 64)}, VerdictOK, ""},
		{"a key it removed read afterwards", []KVOp{put(0, "k1", "a", 1, 2), put(0, "k12", "b", 3, 4),
			delPrefix, get(2, "k12", "b", 50, 60)}, VerdictIllegal,
			`key "k12"`},
		{"a put after it is kept", []KVOp{put(0, "k12", "b", 3, 4), delPrefix, put(0, "k12", "d", 41, 42),
			get(2, "k12", "d", 50, 60)}, VerdictOK, ""},
		{"unknown outcome: either way", []KVOp{put(0, "k12", "b", 3, 4), {Client: 1, Kind: node.OpDeletePrefix, Key: "k", Unknown: true, Call: 30},
			get(2, "k12", "", 50, 60), get(2, "k12", "", 61, 62)}, VerdictOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { requireLinVerdict(t, tc.ops, tc.verdict, tc.reason) })
	}
	parts := SplitByKey([]KVOp{put(0, "k1", "a", 1, 2), delPrefix, put(0, "k2", "c", 5, 6)})
	require.Len(t, parts, 2, "the prefix itself is no key of its own")
	require.Equal(t, "k1", parts[0][1].Key)
	require.Equal(t, "k1", parts[0][1].Prefix)
	require.Equal(t, `delete-prefix("k1") of "k1" -> ok`, describeOp(&parts[0][1]))
	require.Equal(t, `delete-prefix("k1") -> ok`, describeOp(&delPrefix))
}

// requireLinVerdict checks a history's verdict both ways (the full check
// and the verdict alone), and the violation's reason if one is given.
func requireLinVerdict(t *testing.T, ops []KVOp, want Verdict, reason string) {
	t.Helper()
	res := CheckLinearizable(ops, 0)
	require.Equal(t, want, res.Verdict, res.Note)
	if reason != "" {
		require.Contains(t, res.Violation.Reason, reason)
	}
	verdict, _ := LinVerdict(ops, 0)
	require.Equal(t, want, verdict)
}
