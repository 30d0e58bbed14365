// Package report renders one run of a scenario as a self-contained HTML
// page: the verdict, a timeline of every monitor's phases with the faults
// and violations on it, the clients' operations, and porcupine's own view
// of a history that is not linearizable.
//
// The page is a function of its input: the same result and trace give the
// same bytes. Everything taken from the trace or the result is escaped by
// html/template.
package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/anishathalye/porcupine"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

// Input is what one report shows.
type Input struct {
	// Result is the run's outcome; required.
	Result *scenarios.Result
	// Trace is the run's JSON-lines trace (Options.Trace); nil draws a
	// timeline with no phases or faults, only violations and operations.
	Trace []byte
}

// ErrNoResult is returned when Input.Result is nil.
var ErrNoResult = errors.New("report: no result")

// The detail chart shows the seconds before and after the first violation,
// reaching back to the earliest fault of the lookback window (less a
// margin), since the faults that led to a violation are usually seconds
// earlier.
const (
	detailBefore   = 3_000_000_000
	detailAfter    = 1_000_000_000
	detailLookback = 6_000_000_000
	detailMargin   = 500_000_000
)

// maxOps bounds the operations table: a run has thousands, and the ones
// around the first violation are those worth reading.
const maxOps = 300

// Write renders the report as one HTML page with inline CSS and SVG and no
// external references.
func Write(w io.Writer, in Input) error {
	p, err := newPage(in)
	if err != nil {
		return err
	}
	return pageTemplate.Execute(w, p)
}

// page is everything the template shows.
type page struct {
	Res        *scenarios.Result
	Verdict    string
	Class      string // pass, fail or unknown
	Bug        string
	Counters   []counter
	Violations []violation
	Chart      chart
	Detail     *chart // the seconds around the first violation, if it helps
	Ops        []opRow
	OpsNote    string
	LinHTML    string // porcupine's visualization, for an illegal history
}

type counter struct {
	Name  string
	Value int64
}

type violation struct {
	checker.Violation
	Where, When string
	First       bool // the headline one
}

// opRow is one client operation in the table.
type opRow struct {
	Index       int // position in Result.History
	Client      int
	Call, Ret   string
	Op, Key     string
	Args        string
	Outcome     string
	Unknown     bool
	AtViolation bool // in flight when the first violation was seen
}

func newPage(in Input) (*page, error) {
	r := in.Result
	if r == nil {
		return nil, ErrNoResult
	}
	tl, err := buildTimeline(in.Trace, r.Monitors, r.Collectors, runEnd(r), r.Plan)
	if err != nil {
		return nil, err
	}
	p := &page{Res: r, Verdict: r.Verdict(), Class: "pass", Bug: cmp.Or(string(r.Bug), "none")}
	switch {
	case r.Failed():
		p.Class = "fail"
	case r.Unknown != "":
		p.Class = "unknown"
	}
	for _, name := range r.Counters.Names() {
		p.Counters = append(p.Counters, counter{name, r.Counters[name]})
	}
	for i, v := range r.Violations {
		where := "cluster"
		if v.Node >= 0 {
			where = "node " + strconv.Itoa(v.Node)
		}
		p.Violations = append(p.Violations, violation{Violation: v, Where: where, When: seconds(v.At), First: i == 0})
	}
	p.Ops, p.OpsNote = opTable(r)
	p.Chart = newChart(tl, r.History, p.Violations)
	if r.Failed() {
		from, to := detailWindow(tl, r.First().At)
		if 2*(to-from) <= tl.End {
			d := p.Chart.zoom("detail-", from, to)
			p.Detail = &d
		}
	}
	if r.Lin != nil && r.Lin.Verdict == checker.VerdictIllegal {
		var buf bytes.Buffer
		if err := porcupine.Visualize(r.Lin.Model, r.Lin.Info, &buf); err != nil {
			return nil, fmt.Errorf("report: porcupine visualization: %w", err)
		}
		p.LinHTML = buf.String()
	}
	return p, nil
}

// detailWindow is the stretch of time the detail chart shows around at.
func detailWindow(tl timeline, at int64) (from, to int64) {
	from = at - detailBefore
	for _, f := range tl.Faults {
		if f.At >= at-detailLookback && f.At <= at {
			from = min(from, f.At-detailMargin)
		}
	}
	return max(0, from), min(tl.End, at+detailAfter)
}

// runEnd is the last instant the report draws: the end of simulated time,
// or later if an operation or a violation says so.
func runEnd(r *scenarios.Result) int64 {
	end := r.SimTime
	for _, op := range r.History {
		end = max(end, op.Call)
		if !op.Unknown && op.Return != math.MaxInt64 {
			end = max(end, op.Return)
		}
	}
	for _, v := range r.Violations {
		end = max(end, v.At)
	}
	return end
}

// opTable picks the operations nearest the first violation (the first ones
// when there is none), in call order.
func opTable(r *scenarios.Result) ([]opRow, string) {
	h := r.History
	idx := make([]int, len(h))
	for i := range idx {
		idx[i] = i
	}
	note := fmt.Sprintf("all %d operations", len(h))
	if len(h) > maxOps {
		if r.Failed() {
			at := r.First().At
			slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(distance(h[a], at), distance(h[b], at)) })
			note = fmt.Sprintf("the %d operations nearest the first violation (t=%s); %d more omitted", maxOps, seconds(at), len(h)-maxOps)
		} else {
			slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(h[a].Call, h[b].Call) })
			note = fmt.Sprintf("the first %d operations; %d more omitted", maxOps, len(h)-maxOps)
		}
		idx = idx[:maxOps]
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(h[a].Call, h[b].Call), cmp.Compare(a, b)) })
	rows := make([]opRow, 0, len(idx))
	for _, i := range idx {
		rows = append(rows, newOpRow(i, h[i], r))
	}
	return rows, note
}

// distance is how far op lies from instant t: zero while it is in flight.
func distance(op checker.KVOp, t int64) int64 {
	switch {
	case t < op.Call:
		return op.Call - t
	case op.Unknown || t <= op.Return:
		return 0
	}
	return t - op.Return
}

func newOpRow(i int, op checker.KVOp, r *scenarios.Result) opRow {
	row := opRow{Index: i, Client: op.Client, Call: seconds(op.Call), Ret: seconds(op.Return),
		Op: op.Kind.String(), Key: op.Key, Outcome: outcome(op), Unknown: op.Unknown}
	switch op.Kind {
	case node.OpPut:
		row.Args = strconv.Quote(op.Value)
	case node.OpCas:
		row.Args = strconv.Quote(op.Expect) + " → " + strconv.Quote(op.Value)
	}
	if op.Unknown {
		row.Ret = "never"
	}
	if r.Failed() {
		row.AtViolation = distance(op, r.First().At) == 0
	}
	return row
}

// outcome is what the client learned: a status, the value read, or that it
// never heard back.
func outcome(op checker.KVOp) string {
	switch {
	case op.Unknown:
		return "unknown"
	case op.Kind == node.OpGet && !op.Found:
		return "absent"
	case op.Kind == node.OpGet:
		return strconv.Quote(op.Out)
	}
	return op.Status.String()
}

// opClass colors an operation in the client strip.
func opClass(op checker.KVOp) string {
	switch {
	case op.Unknown:
		return "op-unknown"
	case op.Kind == node.OpGet:
		return "op-read"
	case op.Status == node.StatusMismatch:
		return "op-mismatch"
	}
	return "op-write"
}

// opTitle is an operation's tooltip in the client strip.
func opTitle(op checker.KVOp) string {
	ret := seconds(op.Return)
	if op.Unknown {
		ret = "never"
	}
	return fmt.Sprintf("client %d %s %q -> %s, called %s, returned %s", op.Client, op.Kind, op.Key, outcome(op), seconds(op.Call), ret)
}

// returnOrEnd is when an operation's bar ends: its return, or the end of the
// run for one whose outcome never came.
func returnOrEnd(op checker.KVOp, end int64) int64 {
	if op.Unknown || op.Return == math.MaxInt64 {
		return end
	}
	return op.Return
}
