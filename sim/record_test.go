package sim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeTraceReadsWhatTraceWrites(t *testing.T) {
	var buf bytes.Buffer
	tr := NewTrace(&buf)
	tr.Record(20, 1, KindDeliver, Int("from", 2), Int("len", -5))
	tr.Record(10, -1, FaultCrash.traceKind(), Int("fault", 0), Str("mode", ""))
	tr.Record(10, 0, EventKind("state"), Str("phase", "leader \"quoted\"\n"))
	tr.Record(30, 3, DiskKind("corrupt/bit-flip"), Str("path", "mon-3/store/LOG-1"))
	recs, err := DecodeTrace(&buf)
	require.NoError(t, err)
	require.Len(t, recs, 4)
	require.Equal(t, int64(10), recs[0].T, "sorted by time, stably")
	k, ok := recs[0].Kind.Fault()
	require.True(t, ok)
	require.Equal(t, FaultCrash, k)
	ev, ok := recs[1].Kind.Event()
	require.True(t, ok)
	require.Equal(t, "state", ev)
	require.Equal(t, "leader \"quoted\"\n", recs[1].Str("phase"))
	require.Equal(t, KindDeliver, recs[2].Kind)
	require.Equal(t, int64(-5), recs[2].Int("len"))
	require.Equal(t, []Attr{Int("from", 2), Int("len", -5)}, recs[2].Attrs)
	disk, ok := recs[3].Kind.Disk()
	require.True(t, ok)
	require.Equal(t, "corrupt/bit-flip", disk)
	_, ok = KindFaultArmed.Fault()
	require.False(t, ok, "fault/armed is a kernel note, not a fault kind")
}

func TestDecodeTraceNamesTheBadLine(t *testing.T) {
	_, err := DecodeTrace(strings.NewReader("{\"t\":1,\"node\":0,\"kind\":\"start\"}\nnot json\n"))
	require.ErrorIs(t, err, ErrBadTrace)
	require.ErrorContains(t, err, "line 2")
	_, err = DecodeTrace(strings.NewReader(`{"t":1,"kind":"start"}`))
	require.ErrorContains(t, err, "needs t, node and kind")
}
