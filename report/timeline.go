package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/monsim/monsim/sim"
)

// ErrBadTrace is returned for a trace line that is not a JSON record.
var ErrBadTrace = errors.New("bad trace")

// Phases a monitor's lane is colored by. The ev/state details are the
// monitor's own names; down, sync-full and sync-recent are derived from
// other records.
const (
	phaseDown       = "down"
	phaseBooting    = "booting"
	phaseProbing    = "probing"
	phaseElecting   = "electing"
	phaseSyncing    = "syncing" // a sync whose kind is not known yet
	phaseSyncFull   = "sync-full"
	phaseSyncRecent = "sync-recent"
	phaseLeader     = "leader"
	phasePeon       = "peon"
	phaseRepairing  = "repairing"
	phaseBroken     = "broken"
)

// statePhases are the ev/state details that name a phase; any other detail
// is the reason for the phase that follows.
var statePhases = []string{phaseBooting, phaseProbing, phaseElecting, phaseSyncing,
	phaseLeader, phasePeon, phaseBroken, phaseRepairing}

// clusterFaults act on the network or the whole cluster, whatever node
// their record names.
var clusterFaults = []string{"fault/partition", "fault/heal", "fault/net-loss",
	"fault/net-dup", "fault/net-corrupt", "fault/unresolved"}

// quietEvents are monitor events too frequent, or already shown as a phase,
// to mark one by one. Applied versions are drawn as a density strip instead.
var quietEvents = []string{"ev/state", "ev/commit", "ev/apply", "ev/accept", "ev/read",
	"ev/client-reply", "ev/lease", "ev/trim", "ev/sync-chunk", "ev/promise", "ev/vote",
	"ev/probe-reply", "ev/provide", "ev/quorum"}

// applyBins is how many time bins a lane's applied-versions strip has.
const applyBins = 240

// segment is one stretch of a monitor in one phase, [Start, End) in
// simulated ns. Reason is what the monitor said made it enter the phase.
type segment struct {
	Start, End int64
	Phase      string
	Reason     string
}

// span is one self-repair, from ev/repair-start to ev/repair-switched, or
// Interrupted by a crash or power loss.
type span struct {
	Start, End  int64
	Interrupted bool
}

// marker is one instant worth pointing at: a fault, a disk fault, a
// monitor event. Node is -1 for the cluster as a whole.
type marker struct {
	At    int64
	Node  int
	Kind  string
	Title string
}

// lane is one monitor's history.
type lane struct {
	Node     int
	Segments []segment
	Repairs  []span
	Events   []marker       // monitor events (ev/...) of this monitor
	Applied  [applyBins]int // versions applied (ev/apply) per time bin
}

// timeline is the model the report draws: one lane per monitor, faults,
// and the end of simulated time.
type timeline struct {
	End        int64
	Lanes      []lane
	Faults     []marker // fault/... and disk/... records; Node -1 spans every lane
	MaxApplied int      // the fullest Applied bin of any lane
}

// record is the part of a trace line the timeline reads; the whole line is
// kept for tooltips.
type record struct {
	T      int64  `json:"t"`
	Node   int    `json:"node"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
	Full   int64  `json:"full"`
	Fault  *int   `json:"fault"`
	line   []byte
}

// buildTimeline reads a JSON-lines trace into per-monitor phases and
// markers. end is the run's simulated end (0: the last record's time); plan
// adds what the trace does not say about a fault (a partition's group).
func buildTimeline(trace []byte, monitors int, end int64, plan sim.Plan) (timeline, error) {
	recs, err := parseTrace(trace)
	if err != nil {
		return timeline{}, err
	}
	for _, r := range recs {
		end = max(end, r.T)
	}
	b := builder{tl: timeline{End: max(end, 1)}}
	for n := range monitors {
		b.tl.Lanes = append(b.tl.Lanes, lane{Node: n})
	}
	b.open = make([]int, monitors)
	b.repair = make([]int, monitors)
	for i := range b.repair {
		b.open[i], b.repair[i] = -1, -1
	}
	for _, r := range recs {
		b.add(r, plan)
	}
	b.finish()
	return b.tl, nil
}

// parseTrace decodes every line, ordered by time. Records of different
// nodes are stamped with their own handler's clock and may come out of
// order; the sort is stable so same-time records keep their causal order.
func parseTrace(trace []byte) ([]record, error) {
	var recs []record
	sc := bufio.NewScanner(bytes.NewReader(trace))
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		r := record{Node: -1}
		if err := json.Unmarshal(line, &r); err != nil || r.Kind == "" {
			return nil, fmt.Errorf("%w: line %d: not a trace record: %.80q", ErrBadTrace, n, line)
		}
		r.line = slices.Clone(line)
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTrace, err)
	}
	slices.SortStableFunc(recs, func(a, b record) int { return cmp.Compare(a.T, b.T) })
	return recs, nil
}

// builder walks the records once, keeping each lane's open segment and
// repair (indexes into its slices, -1 for none) and the reason for the
// next phase.
type builder struct {
	tl     timeline
	open   []int
	repair []int
	reason []string
}

func (b *builder) add(r record, plan sim.Plan) {
	mon := r.Node >= 0 && r.Node < len(b.tl.Lanes)
	switch {
	case strings.HasPrefix(r.Kind, "fault/"):
		if !mon || slices.Contains(clusterFaults, r.Kind) {
			r.Node = -1 // the record's node says nothing of a cluster fault
		}
		b.tl.Faults = append(b.tl.Faults, marker{At: r.T, Node: r.Node, Kind: r.Kind, Title: describe(r, plan)})
		if mon && (r.Kind == "fault/crash" || r.Kind == "fault/power-loss") {
			b.endRepair(r.Node, r.T, true)
			b.setReason(r.Node, r.Kind)
			b.enter(r.Node, r.T, phaseDown)
		}
	case strings.HasPrefix(r.Kind, "disk/") && mon:
		b.tl.Faults = append(b.tl.Faults, marker{At: r.T, Node: r.Node, Kind: r.Kind, Title: describe(r, plan)})
	case !mon:
	case r.Kind == "start":
		b.enter(r.Node, r.T, phaseBooting)
	case r.Kind == "ev/state":
		if slices.Contains(statePhases, r.Detail) {
			b.enter(r.Node, r.T, r.Detail)
		} else {
			b.setReason(r.Node, r.Detail)
		}
	case r.Kind == "ev/apply":
		bin := &b.tl.Lanes[r.Node].Applied[min(applyBins-1, r.T*applyBins/b.tl.End)]
		*bin++
		b.tl.MaxApplied = max(b.tl.MaxApplied, *bin)
	case strings.HasPrefix(r.Kind, "ev/"):
		b.event(r, plan)
	}
}

// event marks a monitor event and follows the syncs and repairs it opens
// and closes.
func (b *builder) event(r record, plan sim.Plan) {
	switch r.Kind {
	case "ev/sync-start":
		if r.Full != 0 {
			b.enter(r.Node, r.T, phaseSyncFull)
		} else {
			b.enter(r.Node, r.T, phaseSyncRecent)
		}
	case "ev/repair-start":
		if b.repair[r.Node] < 0 {
			l := &b.tl.Lanes[r.Node]
			l.Repairs = append(l.Repairs, span{Start: r.T, End: -1})
			b.repair[r.Node] = len(l.Repairs) - 1
		}
	case "ev/repair-switched":
		b.endRepair(r.Node, r.T, false)
	}
	if !slices.Contains(quietEvents, r.Kind) {
		l := &b.tl.Lanes[r.Node]
		l.Events = append(l.Events, marker{At: r.T, Node: r.Node, Kind: r.Kind, Title: describe(r, plan)})
	}
}

// enter starts phase p on node n at t. A segment that would last no time is
// relabelled instead (ev/state syncing is refined by the ev/sync-start at
// the same instant), and a phase that continues is not split.
func (b *builder) enter(n int, t int64, p string) {
	l := &b.tl.Lanes[n]
	reason := b.takeReason(n)
	if i := b.open[n]; i >= 0 {
		cur := &l.Segments[i]
		switch {
		case cur.Phase == p:
			return
		case cur.Start == t:
			cur.Phase = p
			cur.Reason = joinReason(cur.Reason, reason)
			if i > 0 && l.Segments[i-1].Phase == p && l.Segments[i-1].End == t {
				l.Segments = l.Segments[:i]
				l.Segments[i-1].End = -1
				b.open[n] = i - 1
			}
			return
		}
		cur.End = t
	}
	l.Segments = append(l.Segments, segment{Start: t, End: -1, Phase: p, Reason: reason})
	b.open[n] = len(l.Segments) - 1
}

func (b *builder) setReason(n int, reason string) {
	if b.reason == nil {
		b.reason = make([]string, len(b.tl.Lanes))
	}
	b.reason[n] = joinReason(b.reason[n], reason)
}

func (b *builder) takeReason(n int) string {
	if b.reason == nil {
		return ""
	}
	r := b.reason[n]
	b.reason[n] = ""
	return r
}

func joinReason(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}

func (b *builder) endRepair(n int, t int64, interrupted bool) {
	if i := b.repair[n]; i >= 0 {
		s := &b.tl.Lanes[n].Repairs[i]
		s.End, s.Interrupted = t, interrupted
		b.repair[n] = -1
	}
}

// finish closes what is still open at the end of the run.
func (b *builder) finish() {
	for n := range b.tl.Lanes {
		if i := b.open[n]; i >= 0 {
			b.tl.Lanes[n].Segments[i].End = b.tl.End
		}
		if i := b.repair[n]; i >= 0 {
			b.tl.Lanes[n].Repairs[i].End = b.tl.End
		}
	}
}

// describe is a record's tooltip: its kind, node, time and every other
// attribute that says something (non-zero), in name order. A fault's plan
// entry adds its group and peers, which the trace does not carry.
func describe(r record, plan sim.Plan) string {
	var attrs map[string]json.RawMessage
	_ = json.Unmarshal(r.line, &attrs) // parsed once already
	var b strings.Builder
	b.WriteString(r.Kind)
	if r.Node >= 0 {
		fmt.Fprintf(&b, " node %d", r.Node)
	}
	fmt.Fprintf(&b, " at %s", seconds(r.T))
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := string(attrs[k])
		if k == "t" || k == "node" || k == "kind" || v == "0" || v == `""` {
			continue
		}
		if s, err := strconv.Unquote(v); err == nil {
			v = s
		}
		fmt.Fprintf(&b, " %s=%s", k, v)
	}
	if r.Fault != nil && *r.Fault >= 0 && *r.Fault < len(plan.Faults) {
		f := plan.Faults[*r.Fault]
		if len(f.Group) > 0 {
			fmt.Fprintf(&b, " group=%v", f.Group)
		}
		if len(f.Peers) > 0 {
			fmt.Fprintf(&b, " peers=%v", f.Peers)
		}
	}
	return b.String()
}

// seconds formats simulated ns as seconds with microseconds, as the
// checkers do.
func seconds(t int64) string {
	const second, micro = 1_000_000_000, 1_000
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%06ds", sign, t/second, t%second/micro)
}
