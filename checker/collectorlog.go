package checker

import (
	"fmt"

	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/node"
)

// CollectorLog proves that every collector's durable event log is, at all
// times and across its crashes and power cuts, a gap-free, duplicate-free,
// in-order prefix of the committed event sequence:
//
//   - the committed sequence is one: monitors that apply event n apply the
//     same event, and the first to apply n had applied n-1 before;
//   - every event a collector stores is the committed one of its number;
//   - its log (a full state at some event, then every event after it up to
//     the last confirmed one) only grows: each confirmation covers events it
//     stored durably, a full state it takes lies ahead of its log, and the
//     table it reports after its last event, or at the full state, is the
//     committed one;
//   - after a restart it resumes after an event its log reached, never
//     before its last confirmation (what it acknowledged survives), and
//     every event below it was stored, or at least on its way to the disk
//     when the power went (a resume past an event it never had loses that
//     event for good).
//
// It takes a collector's word for what is on its disk after a restart only
// where the collector had said it was writing it; it does not read the
// disk. It does not prove that collectors keep up (liveness does) nor that
// they fetch nothing twice (Fetch).
type CollectorLog struct {
	committed []committedEvent // event n at n-1
	byRank    map[int]uint64   // per monitor: the last event it applied (0: unknown)
	logs      map[int]*collectorState
	rec       record
}

type committedEvent struct {
	ev    node.CollectorEvent
	table uint64 // the committed table's hash after it
	at    int64  // when it was first applied
}

// collectorState is what the checker knows of one collector's disk.
type collectorState struct {
	opened    bool
	base      uint64          // the full state its log starts from (0: none)
	confirmed uint64          // the last event of its log
	durable   map[uint64]bool // events stored durably above base, in the log or past a gap
	maybe     map[uint64]bool // events it began to store and did not say were durable
	maybeBase uint64          // a full state it began to take and did not say was durable
}

// NewCollectorLog returns the checker.
func NewCollectorLog() *CollectorLog {
	return &CollectorLog{byRank: map[int]uint64{}, logs: map[int]*collectorState{}}
}

// committedAt returns the committed event n, the table's hash after it,
// and when it was first applied.
func (l *CollectorLog) committedAt(n uint64) (committedEvent, bool) {
	if n == 0 || n > uint64(len(l.committed)) {
		return committedEvent{}, false
	}
	return l.committed[n-1], true
}

// Observe feeds one monitor event: the committed sequence is read from
// EvRecorded.
func (l *CollectorLog) Observe(at int64, ev node.Event) {
	switch ev.Kind {
	case node.EvRecorded:
		l.applied(at, ev)
	case node.EvMarkedClear, node.EvRepairStart, node.EvSyncChunk, node.EvPageInstalled:
		l.byRank[ev.Rank] = 0 // its events now come from a copy, not from applying them
	case node.EvStoreOpen:
		// A reopened store holds what its log recovered, which no event
		// reported: a version whose fsync failed was in the log all the
		// same, and pages installed before a power cut (their
		// page-installed event lost with it) make the catch-up skip the
		// events they hold. The sequence starts again from what follows.
		l.byRank[ev.Rank] = 0
	}
}

func (l *CollectorLog) applied(at int64, ev node.Event) {
	n := ev.Record.Seq
	if last := l.byRank[ev.Rank]; last != 0 && n != last+1 {
		l.rec.addf(NameCollectorLog, ev.Rank, at, "monitor %d applied collector event %d after event %d", ev.Rank, n, last)
	}
	l.byRank[ev.Rank] = n
	switch c, ok := l.committedAt(n); {
	case ok && (c.ev != ev.Record || c.table != ev.Hash):
		l.rec.addf(NameCollectorLog, ev.Rank, at, "two events numbered %d: %s here, %s applied first", n, describeEvent(ev.Record), describeEvent(c.ev))
	case !ok && n != uint64(len(l.committed))+1:
		l.rec.addf(NameCollectorLog, ev.Rank, at, "collector event %d applied before event %d was", n, len(l.committed)+1)
	case !ok:
		l.committed = append(l.committed, committedEvent{ev: ev.Record, table: ev.Hash, at: at})
	}
}

// ObserveCollector feeds one collector event.
func (l *CollectorLog) ObserveCollector(at int64, ev collector.Event) {
	s := l.logs[ev.Collector]
	if s == nil {
		s = &collectorState{durable: map[uint64]bool{}, maybe: map[uint64]bool{}}
		l.logs[ev.Collector] = s
	}
	c := ev.Collector
	switch ev.Kind {
	case collector.EvOpen:
		l.open(at, c, s, ev)
	case collector.EvStoring, collector.EvStored:
		if want, ok := l.committedAt(ev.Seq); !ok || want.ev != ev.Record {
			l.rec.addf(NameCollectorLog, c, at, "collector %d stored %s, which is not committed event %d", c, describeEvent(ev.Record), ev.Seq)
		}
		if ev.Kind == collector.EvStoring {
			s.maybe[ev.Seq] = true
		} else {
			s.durable[ev.Seq] = true
		}
	case collector.EvConfirmed:
		if ev.Seq < s.confirmed {
			l.rec.addf(NameCollectorLog, c, at, "collector %d's log went back from event %d to %d", c, s.confirmed, ev.Seq)
		}
		if gap := firstMissing(s.confirmed+1, ev.Seq, s.durable, nil); gap != 0 {
			l.rec.addf(NameCollectorLog, c, at, "collector %d confirmed event %d but never stored event %d: its log has a gap", c, ev.Seq, gap)
		}
		l.checkTable(at, c, ev.Seq, ev.Hash)
		s.confirmed = max(s.confirmed, ev.Seq)
	case collector.EvInstalling:
		s.maybeBase = ev.Seq
	case collector.EvFullState:
		if ev.Seq <= s.confirmed {
			l.rec.addf(NameCollectorLog, c, at, "collector %d replaced its log up to event %d by a full state at event %d", c, s.confirmed, ev.Seq)
		}
		l.checkTable(at, c, ev.Seq, ev.Hash)
		s.setBase(ev.Seq)
		s.confirmed = max(s.confirmed, ev.Seq)
	}
}

// open checks where a restarted collector resumes.
func (l *CollectorLog) open(at int64, c int, s *collectorState, ev collector.Event) {
	if s.opened {
		if ev.Confirmed < s.confirmed {
			l.rec.addf(NameCollectorLog, c, at, "collector %d restarted at event %d, but had confirmed event %d: a confirmed event was lost", c, ev.Confirmed, s.confirmed)
		}
		if ev.Base != s.base && ev.Base != s.maybeBase {
			l.rec.addf(NameCollectorLog, c, at, "collector %d restarted with a full state at event %d it never took", c, ev.Base)
		}
		if ev.Base > s.base {
			s.setBase(ev.Base)
		}
		if gap := firstMissing(max(ev.Base, s.confirmed)+1, ev.Confirmed, s.durable, s.maybe); gap != 0 {
			l.rec.addf(NameCollectorLog, c, at, "collector %d resumed after event %d but never stored event %d: that event is lost for good", c, ev.Confirmed, gap)
		}
	}
	if ev.Confirmed > 0 {
		l.checkTable(at, c, ev.Confirmed, ev.Hash)
	}
	// What it was writing when it went down is now in its log, or reported
	// again as found past the gap (EvStored), or gone.
	s.maybe, s.maybeBase = map[uint64]bool{}, 0
	s.opened, s.base, s.confirmed = true, ev.Base, ev.Confirmed
}

func (l *CollectorLog) checkTable(at int64, c int, n, hash uint64) {
	if want, ok := l.committedAt(n); !ok {
		l.rec.addf(NameCollectorLog, c, at, "collector %d's log reaches event %d, which is not committed", c, n)
	} else if want.table != hash {
		l.rec.addf(NameCollectorLog, c, at, "collector %d's table after event %d is %016x, the committed one %016x", c, n, hash, want.table)
	}
}

func (s *collectorState) setBase(n uint64) {
	s.base = n
	for m := range s.durable { //detlint:order-independent deletes below a bound
		if m <= n {
			delete(s.durable, m)
		}
	}
}

// firstMissing is the first event of from..to in neither set, or 0.
func firstMissing(from, to uint64, a, b map[uint64]bool) uint64 {
	for n := from; n <= to; n++ {
		if !a[n] && !b[n] {
			return n
		}
	}
	return 0
}

func describeEvent(ev node.CollectorEvent) string {
	return fmt.Sprintf("event %d (%s of collector %d, incarnation %d)", ev.Seq, ev.Change, ev.Collector, ev.Inc)
}

// Violations returns what was found.
func (l *CollectorLog) Violations() []Violation { return l.rec.list }
