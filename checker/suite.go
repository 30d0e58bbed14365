package checker

import (
	"slices"

	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/node"
)

// Suite runs every checker that reads the monitors' and the collectors'
// event streams (the ledger, state hash, sync invariants, resume, promises,
// lease, repair, unavailability and collector checkers) and keeps their
// violations in the order they were detected. The harness
// feeds it every event, in order, as the run goes; linearizability and
// liveness run after the run, from the client histories and the final
// snapshot.
//
// It proves nothing of its own: see each checker's comment. A forked
// history shows in both the ledger and the state hash; the ledger's report
// comes first.
type Suite struct {
	ledger  *Ledger
	prom    *Promises
	repair  *Repair
	unavail *Unavailability
	stopped *Stopped
	wire    *Wire
	colLog  *CollectorLog
	fetch   *Fetch
	// events are the event checkers that report as the run goes, the first
	// three above included, in the order their reports of one event are
	// listed. unavail reports only when asked (FinishUnavailable).
	events []eventChecker
	recs   []*record // events[i].recorded(), looked up once
	all    []Violation
}

// eventChecker is a checker fed every monitor event.
type eventChecker interface {
	Observe(at int64, ev node.Event)
	recorder
}

// recorder is a checker that keeps its violations in a record.
type recorder interface{ recorded() *record }

func (l *Ledger) recorded() *record         { return &l.rec }
func (h *StateHash) recorded() *record      { return &h.rec }
func (s *SyncInvariants) recorded() *record { return &s.rec }
func (p *Promises) recorded() *record       { return &p.rec }
func (l *Lease) recorded() *record          { return &l.rec }
func (c *Repair) recorded() *record         { return &c.rec }
func (p *Partial) recorded() *record        { return &p.rec }
func (t *Trim) recorded() *record           { return &t.rec }
func (s *Stopped) recorded() *record        { return &s.rec }
func (s *Stability) recorded() *record      { return &s.rec }
func (c *Resume) recorded() *record         { return &c.rec }
func (l *CollectorLog) recorded() *record   { return &l.rec }
func (o *OfflinePeriods) recorded() *record { return &o.rec }
func (c *PageRepair) recorded() *record     { return &c.rec }
func (w *Wire) recorded() *record           { return &w.rec }

// NewSuite returns the event checkers for a cluster of the given size.
// diskFaults[r] says what the run does to rank r's disk (see Stopped);
// fetchTimeout is the collectors' (see Fetch).
func NewSuite(monitors int, diskFaults []DiskFaults, fetchTimeout int64) *Suite {
	c := &Suite{ledger: NewLedger(monitors), prom: NewPromises(monitors), repair: NewRepair(monitors),
		unavail: NewUnavailability(monitors), stopped: NewStopped(diskFaults), wire: NewWire(), colLog: NewCollectorLog()}
	c.fetch = NewFetch(c.colLog, fetchTimeout)
	hashes := NewStateHash(monitors)
	c.events = []eventChecker{c.ledger, hashes, NewSyncInvariants(monitors), NewResume(hashes.Reference), c.repair, c.prom,
		NewLease(monitors), NewPartial(monitors), NewTrim(monitors), c.stopped, NewPageRepair(monitors), c.colLog,
		NewOfflinePeriods(c.colLog)}
	for _, ch := range c.events {
		c.recs = append(c.recs, ch.recorded())
	}
	return c
}

// Observe feeds one monitor event, at simulated time at, to every checker.
// It allocates nothing on the common path.
func (c *Suite) Observe(at int64, ev node.Event) {
	var before [16]int
	for i, r := range c.recs {
		before[i] = len(r.list)
	}
	if ev.Kind == node.EvRepairStart {
		// The broken store's promises and durable lc go with it, on purpose.
		c.StoreLost(ev.Rank)
	}
	for _, ch := range c.events {
		ch.Observe(at, ev)
	}
	c.unavail.Observe(at, ev)
	for i, r := range c.recs {
		if len(r.list) > before[i] {
			c.all = append(c.all, r.list[before[i]:]...)
		}
	}
}

// ObserveCollector feeds one collector event, at simulated time at, to
// the collector checkers.
func (c *Suite) ObserveCollector(at int64, ev collector.Event) {
	c.noted(c.colLog, func() { c.colLog.ObserveCollector(at, ev) })
	n := len(c.fetch.rec.list)
	c.fetch.ObserveCollector(at, ev)
	c.all = append(c.all, c.fetch.rec.list[n:]...)
}

// FinishCollectors runs the collectors' liveness check (see
// CheckCollectorLiveness) at simulated time at, and returns what it found.
func (c *Suite) FinishCollectors(at, bound int64, finals []CollectorFinal, note string) []Violation {
	return CheckCollectorLiveness(c.colLog, at, bound, finals, note)
}

// Fetched is how many events the collectors' fetches brought, and how
// many of those they needed (see Fetch).
func (c *Suite) Fetched() (fetched, needed uint64) { return c.fetch.Fetched, c.fetch.Needed }

// noted runs f, one checker's entry point other than Observe, and keeps
// what it found.
func (c *Suite) noted(ch recorder, f func()) {
	n := len(ch.recorded().list)
	f()
	c.all = append(c.all, ch.recorded().list[n:]...)
}

// AckedWrite records that client's write reqID was acknowledged as
// committed at version, at simulated time at.
func (c *Suite) AckedWrite(at int64, client int, reqID, version uint64) {
	c.noted(c.ledger, func() { c.ledger.AckedWrite(at, client, reqID, version) })
}

// Stop records that rank's monitor stopped on err (see Stopped).
func (c *Suite) Stop(at int64, rank int, err error) {
	c.noted(c.stopped, func() { c.stopped.Stop(at, rank, err) })
}

// MalformedMsg records that rank dropped, as corrupt, a message whose
// checksum held (see Wire).
func (c *Suite) MalformedMsg(at int64, rank, from int, typ node.MsgType) {
	c.noted(c.wire, func() { c.wire.Malformed(at, rank, from, typ) })
}

// StoreLost tells the checkers that rank's disk lost data on purpose (see
// Ledger.StoreLost).
func (c *Suite) StoreLost(rank int) {
	c.ledger.StoreLost(rank)
	c.prom.Forget(rank)
}

// MainStoreGone and CopyDamaged tell the checkers about damage done on
// purpose that explains what a repair then does (see Repair).
func (c *Suite) MainStoreGone(rank int) { c.repair.MainStoreGone(rank) }
func (c *Suite) CopyDamaged(rank int)   { c.repair.CopyDamaged(rank) }

// Boot reports, at a monitor's restart, whether its disk holds a complete
// main store (see Repair.Boot).
func (c *Suite) Boot(at int64, rank int, mainStore bool) {
	c.noted(c.repair, func() { c.repair.Boot(at, rank, mainStore) })
}

// Finish runs the end-of-run checks at simulated time at and returns what
// they found (also added to Violations).
func (c *Suite) Finish(at int64) []Violation {
	found := c.ledger.Finish(at)
	c.all = append(c.all, found...)
	return found
}

// WatchStability adds the stability checker, watching from simulated time
// from on (see Stability). Call it before the run.
func (c *Suite) WatchStability(from int64) {
	st := NewStability(from)
	c.events = append(c.events, st)
	c.recs = append(c.recs, st.recorded())
}

// UnavailableOnce makes FinishUnavailable's check start once n stores broke
// (0: every store). Call it before the run.
func (c *Suite) UnavailableOnce(n int) { c.unavail.StartAt(n) }

// FinishUnavailable is Finish for a run that broke every store on purpose:
// instead of the ledger's durability check (every acknowledged write went
// with the stores), the verdict is whether the cluster stayed unavailable.
// A passing run gets a note saying so.
func (c *Suite) FinishUnavailable(at int64) ([]Violation, string) {
	found, note := c.unavail.Finish(at)
	c.all = append(c.all, found...)
	return found, note
}

// UnavailableStarted says the stores UnavailableOnce waits for have
// broken: from then on the cluster must stay unavailable.
func (c *Suite) UnavailableStarted() bool { return c.unavail.allBroken }

// Violations returns everything found so far, in detection order.
func (c *Suite) Violations() []Violation { return slices.Clip(c.all) }

// Dropped is how many violations went unrecorded because a checker had
// already recorded its maximum.
func (c *Suite) Dropped() int {
	n := 0
	for _, r := range c.recs {
		n += r.dropped
	}
	return n
}
