package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

const evil = `<script>alert(1)</script>`

func render(t *testing.T, in Input) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, in))
	return buf.String()
}

func TestTraceAndResultStringsAreEscaped(t *testing.T) {
	trace := `{"t":0,"node":0,"kind":"start"}
{"t":1000,"node":0,"kind":"ev/bootstrap","detail":"` + `<script>alert(1)<\/script>` + `"}
{"t":1000,"node":0,"kind":"ev/state","phase":"probing"}
{"t":2000,"node":0,"kind":"ev/store-failed","detail":"<script>alert(1)</script>"}
{"t":3000,"node":-1,"kind":"fault/corrupt","target":"<script>alert(1)</script>"}
{"t":4000,"node":0,"kind":"<script>alert(1)</script>"}
`
	res := &scenarios.Result{Scenario: evil, Bug: evil, Result: &harness.Result{
		Monitors: 1, Note: evil, SimTime: 10_000,
		Violations: []checker.Violation{{Checker: evil, Node: 0, At: 5000, Reason: "reason " + evil}},
		Counters:   harness.Counters{evil: 1},
		History: []checker.KVOp{{Client: 0, Kind: node.OpPut, Key: evil, Value: evil, Status: node.StatusOK, Call: 100, Return: 200},
			{Client: 1, Kind: node.OpGet, Key: "k", Found: true, Out: evil, Status: node.StatusOK, Call: 100, Return: 300}},
	}}
	page := render(t, Input{Result: res, Trace: []byte(trace)})
	require.NotContains(t, page, "<script", "the page carries no script of its own, so any is injected")
	require.NotContains(t, page, "alert(1)</script>")
	require.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;", "the reason is shown, escaped")
	require.Contains(t, page, "bootstrap: &lt;script&gt;", "a trace detail is shown, escaped")
}

func TestSameInputGivesTheSameBytes(t *testing.T) {
	res := &scenarios.Result{Scenario: "steady", Result: &harness.Result{Monitors: 3, SimTime: 40_000_000,
		Counters: harness.Counters{"b": 2, "a": 1, "c": 3, "d": 4, "e": 5}}}
	for c := range 20 {
		res.History = append(res.History, checker.KVOp{Client: 19 - c, Kind: node.OpGet, Key: "k", Call: int64(c), Return: int64(c + 5)})
	}
	first := render(t, Input{Result: res, Trace: []byte(storyTrace)})
	for range 10 {
		require.Equal(t, first, render(t, Input{Result: res, Trace: []byte(storyTrace)}))
	}
	require.Less(t, strings.Index(first, "a=1"), strings.Index(first, "b=2"), "counters in name order")
	require.Less(t, strings.Index(first, `id="client-0"`), strings.Index(first, `id="client-19"`), "clients in number order")
}

func TestIllegalHistoryEmbedsPorcupinesVisualization(t *testing.T) {
	// A read that misses an acknowledged write.
	ops := []checker.KVOp{
		{Client: 0, Kind: node.OpPut, Key: "k", Value: "v", Status: node.StatusOK, Call: 0, Return: 10},
		{Client: 1, Kind: node.OpGet, Key: "k", Found: false, Status: node.StatusOK, Call: 20, Return: 30},
	}
	lin := checker.CheckLinearizable(ops, 0)
	require.Equal(t, checker.VerdictIllegal, lin.Verdict)
	res := &scenarios.Result{Scenario: "partition", Result: &harness.Result{Monitors: 3, SimTime: 40, History: ops, Lin: &lin,
		Violations: []checker.Violation{*lin.Violation}}}
	page := render(t, Input{Result: res})
	require.Contains(t, page, `<iframe id="porcupine" sandbox="allow-scripts"`)
	require.Contains(t, page, `srcdoc="&lt;!doctype html&gt;`, "porcupine's page is embedded, escaped into the attribute")
	require.NotContains(t, page, "<script", "porcupine's scripts run only inside the sandboxed frame")
	require.Contains(t, page, "linearizability")

	lin.Verdict, lin.Violation = checker.VerdictOK, nil
	res.Violations = nil
	require.NotContains(t, render(t, Input{Result: res}), "<iframe", "a linearizable history needs no visualization")
}

func TestOperationsTableKeepsThoseNearestTheFirstViolation(t *testing.T) {
	const ops, at = 1000, int64(700_000)
	res := &scenarios.Result{Scenario: "s", Result: &harness.Result{Monitors: 1, SimTime: ops * 1000,
		Violations: []checker.Violation{{Checker: "ledger", Node: 0, At: at, Reason: "r"}}}}
	for i := range ops {
		op := checker.KVOp{Client: i % 4, Kind: node.OpPut, Key: fmt.Sprint("k", i), Value: "v", Status: node.StatusOK,
			Call: int64(i) * 1000, Return: int64(i)*1000 + 500}
		if i == 10 {
			op.Unknown = true // in flight since long before the violation, and never answered
		}
		res.History = append(res.History, op)
	}
	p, err := newPage(Input{Result: res})
	require.NoError(t, err)
	require.Len(t, p.Ops, maxOps)
	require.Contains(t, p.OpsNote, "700 more omitted")
	var calls []int
	for _, row := range p.Ops {
		calls = append(calls, row.Index)
	}
	require.Contains(t, calls, 10, "an unknown outcome is in flight at the violation")
	require.Contains(t, calls, 700)
	require.NotContains(t, calls, 300)
	require.NotContains(t, calls, 999)
	require.IsNonDecreasing(t, calls, "rows in call order")
	require.True(t, p.Ops[0].Unknown && p.Ops[0].AtViolation && p.Ops[0].Ret == "never")
}

func TestMissingResultIsAnError(t *testing.T) {
	require.ErrorIs(t, Write(&bytes.Buffer{}, Input{}), ErrNoResult)
}

func TestRealRunRendersTheSameTwice(t *testing.T) {
	res, trace := repairStale(t)
	page := render(t, Input{Result: res, Trace: trace})
	require.Equal(t, page, render(t, Input{Result: res, Trace: trace}))
	bare := strings.ReplaceAll(page, "http://www.w3.org/2000/svg", "") // a namespace name, never fetched
	for _, ref := range []string{"http://", "https://", "//cdn", ` src="`} {
		require.NotContains(t, bare, ref, "the page is self-contained")
	}
}

// repairStale runs the literal repair's losing interleaving, which fails
// with a ledger violation.
func repairStale(t *testing.T) (*scenarios.Result, []byte) {
	t.Helper()
	s, err := scenarios.Lookup("repair-stale")
	require.NoError(t, err)
	var trace bytes.Buffer
	res := s.Run(scenarios.Options{Seed: 1000, Bug: "patent-literal", Monitors: 3, Trace: &trace})
	require.True(t, res.Failed())
	require.Equal(t, checker.NameLedger, res.First().Checker)
	return res, trace.Bytes()
}

func TestDetailWindowReachesBackToTheFaultsBeforeTheViolation(t *testing.T) {
	const s = int64(1_000_000_000)
	tl := timeline{End: 40 * s, Faults: []marker{{At: 2 * s}, {At: 8 * s}, {At: 9 * s}, {At: 30 * s}}}
	from, to := detailWindow(tl, 12*s)
	require.Equal(t, 8*s-detailMargin, from, "the earliest fault of the last %ds, less a margin", detailLookback/s)
	require.Equal(t, 13*s, to)

	from, to = detailWindow(tl, 25*s)
	require.Equal(t, []int64{22 * s, 26 * s}, []int64{from, to}, "no fault nearby: a fixed window")
	from, to = detailWindow(tl, 40*s)
	require.Equal(t, []int64{37 * s, 40 * s}, []int64{from, to}, "clipped to the run")
}

func TestPassingRunWithoutATraceStillShowsItsLanes(t *testing.T) {
	res := &scenarios.Result{Scenario: "steady", Result: &harness.Result{Monitors: 5, SimTime: 40_000_000_000}}
	page := render(t, Input{Result: res})
	require.Contains(t, page, `class="verdict pass">PASS<`)
	require.Contains(t, page, "No check was violated.")
	require.Contains(t, page, "No client operations.")
	require.Len(t, laneTag.FindAllString(page, -1), 5, "one lane per monitor, empty")
	require.NotContains(t, page, `id="detail-timeline"`, "no violation to zoom in on")
}
