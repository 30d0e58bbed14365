package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// lanePhase is what a monitor's lane is colored by: one of the monitor's
// own phases (node.Phase's names), or a state the report derives from other
// records: down (crashed or powered off) and the kind of a sync.
type lanePhase string

const (
	phaseDown       lanePhase = "down"
	phaseSyncFull   lanePhase = "sync-full"
	phaseSyncRecent lanePhase = "sync-recent"
)

func phaseOf(p node.Phase) lanePhase { return lanePhase(p.String()) }

var (
	phaseBooting    = phaseOf(node.PhaseBooting)
	phaseProbing    = phaseOf(node.PhaseProbing)
	phaseElecting   = phaseOf(node.PhaseElecting)
	phaseSyncing    = phaseOf(node.PhaseSyncing) // a sync whose kind is not known yet
	phaseLeader     = phaseOf(node.PhaseLeader)
	phasePeon       = phaseOf(node.PhasePeon)
	phaseRepairing  = phaseOf(node.PhaseRepairing)
	phasePageRepair = phaseOf(node.PhasePageRepair)
	phaseBroken     = phaseOf(node.PhaseBroken)
)

// clusterFaults act on the network or the whole cluster, whatever node
// their record names.
var clusterFaults = []sim.FaultKind{sim.FaultPartition, sim.FaultHeal, sim.FaultNetLoss,
	sim.FaultNetDup, sim.FaultNetCorrupt}

// quietEvents are monitor events too frequent, or already shown as a phase,
// to mark one by one. Applied versions are drawn as a density strip instead.
var quietEvents = []node.EventKind{node.EvState, node.EvCommit, node.EvApply, node.EvAccept, node.EvRead,
	node.EvClientReply, node.EvLease, node.EvTrim, node.EvSyncChunk, node.EvPromise, node.EvVote,
	node.EvProbeReply, node.EvProvide, node.EvQuorum, node.EvBootstrap}

// applyBins is how many time bins a lane's applied-versions strip has.
const applyBins = 240

// segment is one stretch of a monitor in one phase, [Start, End) in
// simulated ns. Reason is what the monitor said made it enter the phase.
type segment struct {
	Start, End int64
	Phase      lanePhase
	Reason     string
}

// span is one self-repair, from ev/repair-start to ev/repair-switched, or
// one page repair (Pages), from ev/page-damaged to ev/page-repair-done;
// Interrupted by a crash or power loss.
type span struct {
	Start, End  int64
	Interrupted bool
	Pages       bool
}

// marker is one instant worth pointing at: a fault, a disk fault, a
// monitor event. Node is -1 for the cluster as a whole.
type marker struct {
	At    int64
	Node  int
	Kind  string
	Title string
}

// lane is one monitor's history, or one collector's (collectorlane.go).
type lane struct {
	Node      int
	Collector bool
	Segments  []segment
	Repairs   []span
	Events    []marker       // monitor events (ev/...) of this monitor
	Applied   [applyBins]int // versions applied (ev/apply), or a collector's events stored, per time bin
}

// timeline is the model the report draws: one lane per monitor and per
// collector, faults, and the end of simulated time.
type timeline struct {
	End        int64
	Lanes      []lane
	Faults     []marker // fault/... and disk/... records; Node -1 spans every lane
	MaxApplied int      // the fullest Applied bin of any lane
}

// buildTimeline reads a JSON-lines trace into per-monitor and per-collector
// phases and markers (collectors are the nodes after the monitors). end is
// the run's simulated end (0: the last record's time); plan adds what the
// trace does not say about a fault (a partition's group).
func buildTimeline(trace []byte, monitors, collectors int, end int64, plan sim.Plan) (timeline, error) {
	recs, err := sim.DecodeTrace(bytes.NewReader(trace))
	if err != nil {
		return timeline{}, err
	}
	for _, r := range recs {
		end = max(end, r.T)
	}
	b := builder{tl: timeline{End: max(end, 1)}}
	for n := range monitors + collectors {
		b.tl.Lanes = append(b.tl.Lanes, lane{Node: n, Collector: n >= monitors})
	}
	b.open = make([]int, monitors+collectors)
	b.repair = make([]int, monitors+collectors)
	b.col = make([]collectorView, monitors+collectors)
	for i := range b.repair {
		b.open[i], b.repair[i] = -1, -1
	}
	for _, r := range recs {
		b.add(r, plan)
	}
	b.finish()
	return b.tl, nil
}

// builder walks the records once, keeping each lane's open segment and
// repair (indexes into its slices, -1 for none) and the reason for the
// next phase.
type builder struct {
	tl     timeline
	open   []int
	repair []int
	reason []string
	col    []collectorView // per lane, for collectors
}

func (b *builder) add(r sim.Record, plan sim.Plan) {
	mon := r.Node >= 0 && r.Node < len(b.tl.Lanes)
	fault, isFault := r.Kind.Fault()
	_, isDisk := r.Kind.Disk()
	evName, isEvent := r.Kind.Event()
	switch {
	case isFault || isKernelFaultNote(r.Kind):
		if !mon || slices.Contains(clusterFaults, fault) || r.Kind == sim.KindFaultUnresolved {
			r.Node = -1 // the record's node says nothing of a cluster fault
		}
		b.tl.Faults = append(b.tl.Faults, marker{At: r.T, Node: r.Node, Kind: string(r.Kind), Title: describe(r, plan)})
		if r.Node >= 0 && (fault == sim.FaultCrash || fault == sim.FaultPowerLoss) {
			b.col[r.Node] = collectorView{}
			b.endRepair(r.Node, r.T, true)
			b.setReason(r.Node, string(r.Kind))
			b.enter(r.Node, r.T, phaseDown)
		}
	case isDisk && mon:
		b.tl.Faults = append(b.tl.Faults, marker{At: r.T, Node: r.Node, Kind: string(r.Kind), Title: describe(r, plan)})
	case !mon:
	case r.Kind == sim.KindStart:
		b.enter(r.Node, r.T, phaseBooting)
	case isEvent && b.tl.Lanes[r.Node].Collector:
		b.collectorEvent(evName, r, plan)
	case isEvent:
		var kind node.EventKind
		if err := kind.UnmarshalText([]byte(evName)); err != nil {
			b.mark(r, plan) // a host's own event, not the monitor's
			return
		}
		b.event(kind, r, plan)
	}
}

// isKernelFaultNote says whether a record is the kernel's note about a
// fault (armed, unresolved, found nothing to damage, came due after a heal).
func isKernelFaultNote(k sim.Kind) bool {
	return k == sim.KindFaultArmed || k == sim.KindFaultUnresolved || k == sim.KindFaultNoTarget || k == sim.KindFaultHealed
}

// event follows the phases, syncs and repairs a monitor event opens and
// closes, and marks the ones worth pointing at.
func (b *builder) event(kind node.EventKind, r sim.Record, plan sim.Plan) {
	switch kind {
	case node.EvState:
		var p node.Phase
		if p.UnmarshalText([]byte(r.Str(harness.AttrPhase))) == nil {
			b.enter(r.Node, r.T, phaseOf(p))
		}
	case node.EvBootstrap:
		b.setReason(r.Node, "bootstrap: "+r.Str(harness.AttrDetail))
	case node.EvApply:
		bin := &b.tl.Lanes[r.Node].Applied[min(applyBins-1, r.T*applyBins/b.tl.End)]
		*bin++
		b.tl.MaxApplied = max(b.tl.MaxApplied, *bin)
	case node.EvSyncStart:
		if r.Int(harness.AttrFull) != 0 {
			b.enter(r.Node, r.T, phaseSyncFull)
		} else {
			b.enter(r.Node, r.T, phaseSyncRecent)
		}
	case node.EvRepairStart, node.EvPageDamaged:
		if b.repair[r.Node] < 0 {
			l := &b.tl.Lanes[r.Node]
			l.Repairs = append(l.Repairs, span{Start: r.T, End: -1, Pages: kind == node.EvPageDamaged})
			b.repair[r.Node] = len(l.Repairs) - 1
		}
	case node.EvRepairSwitched, node.EvPageRepairDone:
		b.endRepair(r.Node, r.T, false)
	}
	if !slices.Contains(quietEvents, kind) {
		b.mark(r, plan)
	}
}

func (b *builder) mark(r sim.Record, plan sim.Plan) {
	l := &b.tl.Lanes[r.Node]
	l.Events = append(l.Events, marker{At: r.T, Node: r.Node, Kind: string(r.Kind), Title: describe(r, plan)})
}

// enter starts phase p on node n at t. A segment that would last no time is
// relabelled instead (ev/state syncing is refined by the ev/sync-start at
// the same instant), and a phase that continues is not split.
func (b *builder) enter(n int, t int64, p lanePhase) {
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
func describe(r sim.Record, plan sim.Plan) string {
	var b strings.Builder
	b.WriteString(string(r.Kind))
	if r.Node >= 0 {
		fmt.Fprintf(&b, " node %d", r.Node)
	}
	fmt.Fprintf(&b, " at %s", seconds(r.T))
	attrs := slices.SortedFunc(slices.Values(r.Attrs), func(a, c sim.Attr) int { return strings.Compare(a.Key, c.Key) })
	for _, a := range attrs {
		switch {
		case a.IsStr && a.Str != "":
			fmt.Fprintf(&b, " %s=%s", a.Key, a.Str)
		case !a.IsStr && a.Int != 0:
			fmt.Fprintf(&b, " %s=%d", a.Key, a.Int)
		}
	}
	if _, ok := r.Kind.Fault(); ok && r.Has("fault") {
		if i := r.Int("fault"); i >= 0 && i < int64(len(plan.Faults)) {
			f := plan.Faults[i]
			if len(f.Group) > 0 {
				fmt.Fprintf(&b, " group=%v", f.Group)
			}
			if len(f.Peers) > 0 {
				fmt.Fprintf(&b, " peers=%v", f.Peers)
			}
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
