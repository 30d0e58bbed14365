package report

import (
	"fmt"
	"slices"

	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/sim"
)

// A collector's lane is colored by what its own events say: no monitor
// acks it (hunting), it is catching up, it is caught up but its session is
// not recorded up yet (just booted, or found itself marked down), or it is
// online. Crashes and power losses make it down, a start booting, as for a
// monitor.
const (
	phaseHunting    lanePhase = "hunting"
	phaseCatchingUp lanePhase = "catching-up"
	phaseJoining    lanePhase = "joining"
	phaseOnline     lanePhase = "online"
)

// collectorView is what a collector's events said so far.
type collectorView struct {
	session, catching, registered bool
}

// quietCollectorEvents are too frequent, or already shown as a phase, to
// mark one by one. Events stored are drawn as a density strip instead.
var quietCollectorEvents = []collector.EventKind{collector.EvStoring, collector.EvStored, collector.EvConfirmed,
	collector.EvSession, collector.EvQuery, collector.EvFetch, collector.EvFetched, collector.EvCaughtUp,
	collector.EvInstalling, collector.EvRegistered}

// Label names a lane: mon.N or col.N.
func (l lane) Label() string {
	if l.Collector {
		return fmt.Sprintf("col.%d", l.Node)
	}
	return fmt.Sprintf("mon.%d", l.Node)
}

// collectorEvent follows a collector's phases and marks the events worth
// pointing at.
func (b *builder) collectorEvent(name string, r sim.Record, plan sim.Plan) {
	var kind collector.EventKind
	if err := kind.UnmarshalText([]byte(name)); err != nil {
		b.mark(r, plan)
		return
	}
	v := &b.col[r.Node]
	switch kind {
	case collector.EvOpen:
		*v = collectorView{}
	case collector.EvSession:
		v.session, v.catching = r.Int("peer") >= 0, false
	case collector.EvQuery:
		v.catching = true
	case collector.EvCaughtUp:
		v.catching = false
	case collector.EvRegistered:
		v.registered = true
	case collector.EvMarkedDown:
		v.registered = false
	case collector.EvStored:
		bin := &b.tl.Lanes[r.Node].Applied[min(applyBins-1, r.T*applyBins/b.tl.End)]
		*bin++
		b.tl.MaxApplied = max(b.tl.MaxApplied, *bin)
	}
	switch {
	case kind == collector.EvStoreFailed:
	case !v.session:
		b.enter(r.Node, r.T, phaseHunting)
	case v.catching:
		b.enter(r.Node, r.T, phaseCatchingUp)
	case !v.registered:
		b.enter(r.Node, r.T, phaseJoining)
	default:
		b.enter(r.Node, r.T, phaseOnline)
	}
	if !slices.Contains(quietCollectorEvents, kind) {
		b.mark(r, plan)
	}
}
