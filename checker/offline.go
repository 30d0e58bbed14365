package checker

import "github.com/monsim/monsim/node"

// OfflinePeriods proves that the committed events record each collector's
// offline periods exactly once: per collector they run boot, (status)*,
// stop, boot, ... with no second stop before a boot (one offline period,
// one stop event) and no second boot before a stop (one return, one boot
// event), each boot with the next incarnation and each stop naming the
// incarnation it ends. A status event comes only while the collector is
// up.
//
// It reads the committed sequence CollectorLog keeps, so it must be fed
// after it. It does not prove that an offline period was noticed at all:
// the collectors' liveness check does, by requiring every collector's
// current session to be recorded up at the end.
type OfflinePeriods struct {
	log  *CollectorLog
	seen int // committed events checked so far
	up   map[int]collectorPeriod
	rec  record
}

type collectorPeriod struct {
	up   bool
	inc  uint64
	last uint64 // the event that began the current period
}

// NewOfflinePeriods returns the checker over log's committed sequence.
func NewOfflinePeriods(log *CollectorLog) *OfflinePeriods {
	return &OfflinePeriods{log: log, up: map[int]collectorPeriod{}}
}

// Observe checks the events committed since it last looked.
func (o *OfflinePeriods) Observe(at int64, ev node.Event) {
	for ; o.seen < len(o.log.committed); o.seen++ {
		o.check(at, o.log.committed[o.seen].ev)
	}
}

func (o *OfflinePeriods) check(at int64, ev node.CollectorEvent) {
	p, c := o.up[ev.Collector], ev.Collector
	switch ev.Change {
	case node.CollectorBoot:
		switch {
		case p.up:
			o.rec.addf(NameOfflinePeriods, c, at, "collector %d booted again at event %d, still up since event %d with no stop between", c, ev.Seq, p.last)
		case ev.Inc != p.inc+1:
			o.rec.addf(NameOfflinePeriods, c, at, "collector %d's boot at event %d is incarnation %d, after incarnation %d", c, ev.Seq, ev.Inc, p.inc)
		}
		p = collectorPeriod{up: true, inc: ev.Inc, last: ev.Seq}
	case node.CollectorStop:
		switch {
		case !p.up:
			o.rec.addf(NameOfflinePeriods, c, at, "collector %d marked down again at event %d: one offline period, two stop events (the first at event %d)", c, ev.Seq, p.last)
		case ev.Inc != p.inc:
			o.rec.addf(NameOfflinePeriods, c, at, "collector %d's stop at event %d ends incarnation %d, but incarnation %d is up", c, ev.Seq, ev.Inc, p.inc)
		}
		p.up, p.last = false, ev.Seq
	case node.CollectorStatus:
		if !p.up {
			o.rec.addf(NameOfflinePeriods, c, at, "collector %d's status recorded at event %d while it was down", c, ev.Seq)
		}
	}
	o.up[c] = p
}

// Violations returns what was found.
func (o *OfflinePeriods) Violations() []Violation { return o.rec.list }
