package history

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/node"
)

func encode(t *testing.T, ops []checker.KVOp) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Encode(&b, ops))
	return b.Bytes()
}

var staleRead = []checker.KVOp{
	{Client: 0, Kind: node.OpPut, Key: "k1", Value: "a", Status: node.StatusOK, Call: 100, Return: 200},
	{Client: 1, Kind: node.OpPut, Key: "k1", Value: "b", Status: node.StatusOK, Call: 300, Return: 400},
	{Client: 2, Kind: node.OpGet, Key: "k1", Status: node.StatusOK, Found: true, Out: "a", Call: 500, Return: 600},
	{Client: 3, Kind: node.OpCas, Key: "k2", Expect: "x", Value: "y", Unknown: true, Call: 50},
}

func TestEncodeWritesOneOpPerLineInTheDocumentedLayout(t *testing.T) {
	got := string(encode(t, staleRead[:2]))
	require.Equal(t, `{"format":"monsim-history/1","ops":[
{"client":0,"kind":"put","key":"k1","value":"a","expect":"","status":"ok","found":false,"out":"","unknown":false,"call":100,"return":200},
{"client":1,"kind":"put","key":"k1","value":"b","expect":"","status":"ok","found":false,"out":"","unknown":false,"call":300,"return":400}
]}
`, got)
	ops, err := Decode([]byte(got))
	require.NoError(t, err)
	require.Equal(t, staleRead[:2], ops)
}

func TestEmptyHistoryRoundTripsAndIsLinearizable(t *testing.T) {
	data := encode(t, nil)
	ops, err := Decode(data)
	require.NoError(t, err)
	require.Empty(t, ops)
	res := check(t, data)
	require.Equal(t, Result{Verdict: VerdictLinearizable, Format: FormatMonsim}, res)
}

func TestMonsimHistoryRoundTripsThroughEncodeAndDecode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ops := rapid.SliceOf(rapid.Custom(genKVOp)).Draw(t, "ops")
		var b bytes.Buffer
		if err := Encode(&b, ops); err != nil {
			t.Fatalf("encode: %v", err)
		}
		got, err := Decode(b.Bytes())
		if err != nil {
			t.Fatalf("decode: %v\n%s", err, b.String())
		}
		if len(ops) == 0 {
			ops = []checker.KVOp{}
		}
		require.Equal(t, ops, got)
	})
}

// genKVOp draws an op Decode accepts: any field values, but a final
// status and a return after the call unless the outcome is unknown.
func genKVOp(t *rapid.T) checker.KVOp {
	op := checker.KVOp{
		Client:  rapid.Int().Draw(t, "client"),
		Kind:    rapid.SampledFrom(kinds).Draw(t, "kind"),
		Key:     rapid.String().Draw(t, "key"),
		Value:   rapid.String().Draw(t, "value"),
		Expect:  rapid.String().Draw(t, "expect"),
		Found:   rapid.Bool().Draw(t, "found"),
		Out:     rapid.String().Draw(t, "out"),
		Unknown: rapid.Bool().Draw(t, "unknown"),
		Call:    rapid.Int64().Draw(t, "call"),
	}
	switch {
	case op.Unknown:
		op.Status = rapid.SampledFrom(statuses).Draw(t, "status")
		op.Return = rapid.Int64().Draw(t, "return")
	case op.Kind == node.OpCas:
		op.Status = rapid.SampledFrom([]node.Status{node.StatusOK, node.StatusMismatch}).Draw(t, "status")
	default:
		op.Status = node.StatusOK
	}
	if !op.Unknown {
		op.Return = rapid.Int64Min(op.Call).Draw(t, "return")
	}
	return op
}

func TestMonsimStaleReadIsNotLinearizable(t *testing.T) {
	res := check(t, encode(t, staleRead))
	require.Equal(t, VerdictNotLinearizable, res.Verdict)
	require.Equal(t, FormatMonsim, res.Format)
	require.Equal(t, 4, res.Ops)
	require.True(t, strings.HasPrefix(res.Detail, `key "k1": no order of its 3 ops is legal`), res.Detail)
	require.Contains(t, res.Detail, `client 2 get("k1") -> "a"`)

	fixed := append([]checker.KVOp(nil), staleRead...)
	fixed[2].Out = "b"
	require.Equal(t, VerdictLinearizable, check(t, encode(t, fixed)).Verdict)
}

func TestEncodeRefusesWhatDecodeWould(t *testing.T) {
	for _, op := range []checker.KVOp{
		{Kind: 9, Status: node.StatusOK},
		{Kind: node.OpPut, Status: node.StatusRetry, Call: 1, Return: 2},
		{Kind: node.OpGet, Status: node.StatusOK, Call: 5, Return: 4},
		{Kind: node.OpGet, Status: node.StatusOK, Key: "\xff"},
		{Kind: node.OpGet, Status: node.StatusOK, Family: checker.FamilyJepsenKV}, // no field says so
	} {
		var b bytes.Buffer
		err := Encode(&b, []checker.KVOp{staleRead[0], op})
		require.ErrorContains(t, err, "op #1", "%+v", op)
		require.Zero(t, b.Len(), "nothing is written for a refused history")
	}
}
