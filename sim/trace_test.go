package sim

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTraceHashDependsOnEveryField(t *testing.T) {
	base := func() *Trace {
		tr := NewTrace(nil)
		tr.Record(5, 1, "deliver", Int("from", 2), Str("why", "x"))
		return tr
	}
	h := base().Hash()
	variants := []func(*Trace){
		func(tr *Trace) { tr.Record(6, 1, "deliver", Int("from", 2), Str("why", "x")) },
		func(tr *Trace) { tr.Record(5, 2, "deliver", Int("from", 2), Str("why", "x")) },
		func(tr *Trace) { tr.Record(5, 1, "deliveR", Int("from", 2), Str("why", "x")) },
		func(tr *Trace) { tr.Record(5, 1, "deliver", Int("from", 3), Str("why", "x")) },
		func(tr *Trace) { tr.Record(5, 1, "deliver", Int("from", 2), Str("why", "y")) },
		func(tr *Trace) { tr.Record(5, 1, "deliver", Int("frm", 2), Str("why", "x")) },
	}
	for i, v := range variants {
		tr := NewTrace(nil)
		v(tr)
		require.NotEqual(t, h, tr.Hash(), "variant %d", i)
	}
	require.Equal(t, h, base().Hash())
}

func TestTraceWritesOneValidJSONObjectPerRecord(t *testing.T) {
	var buf bytes.Buffer
	tr := NewTrace(&buf)
	tr.Record(1, -1, "fault/crash", Int("node", 2))
	tr.Record(2, 0, "point", Str("name", "a\"b\\c\n\x01\xff"))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &rec))
	require.Equal(t, "a\"b\\c\n\x01\ufffd", rec["name"])
	require.Equal(t, "point", rec["kind"])
	require.EqualValues(t, 2, rec["t"])
	require.EqualValues(t, 2, tr.Count())
}

func TestTracingDoesNotChangeTheHash(t *testing.T) {
	a, b := NewTrace(nil), NewTrace(&bytes.Buffer{})
	for _, tr := range []*Trace{a, b} {
		tr.Record(1, 0, "x", Int("a", 1))
	}
	require.Equal(t, a.Hash(), b.Hash())
}
