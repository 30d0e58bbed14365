package harness

import (
	"slices"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// observer takes every monitor event: it writes it to the trace (so it is
// part of the trace hash), feeds the checkers, and counts what happened.
type observer struct {
	k         *sim.Kernel
	suite     *checker.Suite
	counters  Counters
	probes    Counters // code probes reached, by name
	maxFC     uint64
	repairing []bool
	paging    []bool // a page repair is under way
	fetching  []bool // the sync running is a repair's (its copy, or a page repair's catch-up)
	// repairPath measures the first repair's filesystem operations, from
	// repair/start to the end of the switch, and resumePath the first
	// resumed sync's, from sync/resume-accepted to sync/finished, for
	// crash-point enumeration.
	repairPath, resumePath RepairPath
	// tap, if set, sees every event after the checkers (a sync bench's
	// measurements).
	tap      func(rank int, ev node.Event)
	querying map[int]bool // collectors that asked what follows their log and fetched nothing yet
}

func newObserver(k *sim.Kernel, monitors int, plan sim.Plan) *observer {
	counters := Counters{}
	for _, name := range []string{"elections", "full_syncs", "recent_syncs", "trims", "commits",
		"repairs_started", "repairs_completed", "repairs_full", "repairs_recent", "mid_repair_power_losses",
		"syncs_resumed", "sync_bytes", "resent_bytes", "resume_refusals",
		"collector_catchups", "full_states", "events_fetched",
		"page_repairs", "page_repairs_completed", "pages_repaired", "repair_bytes", "whole_store_fallbacks"} {
		counters[name] = 0 // reported even when nothing happened
	}
	return &observer{k: k, suite: checker.NewSuite(monitors, diskFaults(plan, monitors), collectorFetchTimeout), counters: counters,
		repairPath: RepairPath{Node: -1}, resumePath: RepairPath{Node: -1}, repairing: make([]bool, monitors), paging: make([]bool, monitors),
		fetching: make([]bool, monitors), probes: Counters{}, querying: map[int]bool{}}
}

// eventTraceKinds caches each event's trace kind, indexed by the kind, so
// tracing an event allocates nothing and looks nothing up.
var eventTraceKinds = func() []sim.Kind {
	kinds := node.EventKinds()
	out := make([]sim.Kind, slices.Max(kinds)+1)
	for _, k := range kinds {
		out[k] = sim.EventKind(k.String())
	}
	return out
}()

func (o *observer) event(rank int, ev node.Event) {
	ev.Rank = rank
	attrs := [...]sim.Attr{
		sim.Uint("v", ev.Version), sim.Uint("fc", ev.FC), sim.Uint("hash", ev.Hash), sim.Uint("epoch", ev.Epoch),
		sim.Int("peer", int64(ev.Peer)), sim.Uint("quorum", ev.Quorum), sim.Int("until", ev.Until),
		sim.Str(AttrDetail, ev.Detail), sim.Int(AttrFull, boolInt(ev.Full)), {}, {}, {}}
	n := len(attrs) - 3
	// A typed field is traced only with the kind that carries it.
	switch ev.Kind {
	case node.EvState:
		attrs[n], n = sim.Str(AttrPhase, ev.Phase.String()), n+1
	case node.EvRepairStart:
		attrs[n], n = sim.Str(AttrStart, ev.Start.String()), n+1
	case node.EvStoreOpen:
		attrs[n], n = sim.Int(AttrCopy, boolInt(ev.Copy)), n+1
	case node.EvRecorded:
		attrs[n], n = sim.Str(AttrChange, ev.Record.Change.String()), n+1
	case node.EvPageDamaged, node.EvPageSource, node.EvPageServed:
		attrs[n], n = sim.Int(AttrPage, int64(ev.Page)), n+1
	case node.EvPageInstalled:
		attrs[n], n = sim.Int(AttrPage, int64(ev.Page)), n+1
		attrs[n], n = sim.Int(AttrBytes, ev.Bytes), n+1
	}
	if ev.Mixed {
		attrs[n], n = sim.Int(AttrMixed, 1), n+1
	}
	all := attrs[:n]
	switch {
	case ev.Kind == node.EvStoreOpen && ev.Partial:
		all = append(all, sim.Int(AttrPartial, 1))
	case ev.Kind == node.EvProvide || ev.Kind == node.EvSyncChunk:
		all = append(all, sim.Int(AttrBytes, ev.Bytes), sim.Int("resent", ev.Resent))
	case ev.Resume != nil:
		f := ev.Resume
		all = append(all, sim.Uint("base", f.Base), sim.Uint("top", f.Top), sim.Uint("at", f.At), sim.Str("boundary", f.Boundary),
			sim.Int("copied_keys", f.Copied.Keys), sim.Uint("copied_hash", f.Copied.Hash),
			sim.Int("interval_keys", f.Interval.Keys), sim.Uint("interval_hash", f.Interval.Hash))
	}
	o.k.Record(rank, eventTraceKinds[ev.Kind], all...)
	o.suite.Observe(o.k.Now(), ev)
	o.count(rank, ev)
	if o.tap != nil {
		o.tap(rank, ev)
	}
}

// The attributes of a monitor event's trace record that a reader of the
// trace may want by name.
const (
	AttrPhase  = "phase"  // ev/state: the phase entered (node.Phase's name)
	AttrStart  = "start"  // ev/repair-start: how it began (node.RepairStart's name)
	AttrCopy   = "copy"   // ev/store-open: 1 if the store opened is the repair copy
	AttrDetail = "detail" // why, in words
	AttrFull   = "full"   // 1 for a full sync
	AttrChange = "change" // ev/recorded: what the collector event records (node.CollectorChange's name)
	AttrPage   = "page"   // ev/page-*: the page
	AttrBytes  = "bytes"  // ev/page-installed, ev/sync-chunk, ev/provide: bytes of state carried
	AttrMixed  = "mixed"  // ev/store-open, ev/apply: 1 while pages of other versions are in the store
	// AttrPartial is on ev/store-open: 1 if the store holds a partial copy
	// kept to resume a full sync.
	AttrPartial = "partial"
)

func (o *observer) count(rank int, ev node.Event) {
	switch ev.Kind {
	case node.EvQuorum:
		if ev.Peer == rank {
			o.counters["elections"]++
		}
	case node.EvSyncStart:
		o.fetching[rank] = o.repairing[rank] || o.paging[rank]
	case node.EvSyncChunk:
		if o.fetching[rank] {
			o.counters["repair_bytes"] += ev.Bytes
		}
		o.counters["resent_bytes"] += ev.Resent
	case node.EvSyncAbort:
		o.fetching[rank] = false
	case node.EvSyncFinish:
		o.fetching[rank] = false
		if ev.Full {
			o.counters["full_syncs"]++
		} else {
			o.counters["recent_syncs"]++
		}
	case node.EvTrim:
		if ev.FC > o.maxFC { // count each trim once, not once per monitor
			o.maxFC = ev.FC
			o.counters["trims"]++
		}
	case node.EvCommit:
		o.counters["commits"]++
	case node.EvRepairStart:
		// A repair may resume several times, and power can fail between
		// its mark and the report of it: count repairs, not reports.
		if !o.repairing[rank] {
			o.repairing[rank] = true
			o.counters["repairs_started"]++
		}
		o.paging[rank] = false // a page repair that fell back, or was superseded
	case node.EvStoreOpen:
		if !ev.Copy && o.repairing[rank] { // the switch finished; its report was cut off
			o.repairing[rank] = false
			o.counters["repairs_completed"]++
		}
	case node.EvRepairCompleted:
		if ev.Full {
			o.counters["repairs_full"]++
		} else {
			o.counters["repairs_recent"]++
		}
	case node.EvRepairSwitched:
		o.repairing[rank] = false
		o.counters["repairs_completed"]++
	case node.EvSyncResumed:
		o.counters["syncs_resumed"]++
	case node.EvResumeRefused:
		o.counters["resume_refusals"]++
	case node.EvProvide:
		o.counters["sync_bytes"] += ev.Bytes
	default:
		o.countPages(rank, ev)
	}
	if ev.Kind == node.EvQuorum && ev.Quorum&(1<<rank) != 0 {
		o.rejoined(rank)
	}
}

// countPages counts page repairs: each begins with the first damaged page
// reported and ends when the monitor checks in caught up (or its store is
// rebuilt or cleared instead).
func (o *observer) countPages(rank int, ev node.Event) {
	switch ev.Kind {
	case node.EvPageDamaged:
		if !o.paging[rank] {
			o.paging[rank] = true
			o.counters["page_repairs"]++
		}
	case node.EvPageInstalled:
		o.counters["pages_repaired"]++
		o.counters["repair_bytes"] += ev.Bytes
	case node.EvPageRepairDone:
		if o.paging[rank] {
			o.paging[rank] = false
			o.counters["page_repairs_completed"]++
		}
	case node.EvPageFallback:
		o.counters["whole_store_fallbacks"]++
	}
}

// boot reports a monitor's restart and whether its disk held a complete
// main store.
func (o *observer) boot(rank int, mainStore bool) {
	o.suite.Boot(o.k.Now(), rank, mainStore)
}

// point watches probe points for the first repair's path (a whole-store
// repair from repair/start to the end of its switch, or a page repair from
// page/start to page/done) and the first resumed sync's (from
// sync/resume-accepted to sync/finished).
func (o *observer) point(rank int, p node.Point, ops int64) {
	rp := &o.repairPath
	switch {
	case (p == node.PointRepairStart || p == node.PointPageRepairStart) && rp.Node < 0:
		rp.Node, rp.Start, rp.startOps, rp.StartAt = rank, p, ops, o.k.Now()
	case (p == node.PointRepairMarkDeleted || p == node.PointPageRepairDone) && rp.Node == rank && rp.Ops == 0:
		rp.Ops, rp.DoneAt = ops-rp.startOps, o.k.Now()
	}
	sp := &o.resumePath
	switch {
	case p == node.PointSyncResumeAccepted && sp.Node < 0:
		sp.Node, sp.Start, sp.startOps, sp.StartAt = rank, p, ops, o.k.Now()
	case p == node.PointSyncFinished && sp.Node == rank && sp.Ops == 0:
		sp.Ops, sp.DoneAt = ops-sp.startOps, o.k.Now()
	}
}

// rejoined notes when the first repair's monitor is back in a quorum.
func (o *observer) rejoined(rank int) {
	if rp := &o.repairPath; rp.Node == rank && rp.Ops > 0 && rp.RejoinAt == 0 {
		rp.RejoinAt = o.k.Now()
	}
}

func (o *observer) ackedWrite(client int, reqID, version uint64) {
	o.suite.AckedWrite(o.k.Now(), client, reqID, version)
}

// diskFaults says, per monitor, what the plan does to its disk: I/O
// errors and ENOSPC may stop a monitor; corruption, wipes and lying-disk
// power losses may also break its store. Crashes, honest and torn power
// losses and network faults must do neither.
func diskFaults(plan sim.Plan, monitors int) []checker.DiskFaults {
	out := make([]checker.DiskFaults, monitors)
	for _, f := range plan.Faults {
		var mark func(*checker.DiskFaults)
		switch {
		case f.Kind == sim.FaultDiskEIO, f.Kind == sim.FaultDiskENOSPC:
			mark = func(d *checker.DiskFaults) { d.Fails = true }
		case f.Kind == sim.FaultCorrupt, f.Kind == sim.FaultPowerLoss && f.Power == faultfs.Lying:
			mark = func(d *checker.DiskFaults) { d.Damages = true }
		default:
			continue
		}
		if f.Ref != nil { // its node is known only when it fires
			for r := range out {
				mark(&out[r])
			}
		} else if f.Node >= 0 && f.Node < monitors {
			mark(&out[f.Node])
		}
	}
	return out
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// collectorTraceKinds caches each collector event's trace kind.
var collectorTraceKinds = func() map[collector.EventKind]sim.Kind {
	m := map[collector.EventKind]sim.Kind{}
	for _, k := range collector.EventKinds() {
		m[k] = sim.EventKind(k.String())
	}
	return m
}()

// collectorEvent takes every collector event: the trace, the checkers, the
// counters.
func (o *observer) collectorEvent(ev collector.Event) {
	o.k.Record(ev.Collector, collectorTraceKinds[ev.Kind],
		sim.Uint("seq", ev.Seq), sim.Uint("confirmed", ev.Confirmed), sim.Uint("base", ev.Base),
		sim.Uint("from", ev.From), sim.Uint("to", ev.To), sim.Uint("count", ev.Count), sim.Uint("hash", ev.Hash),
		sim.Int("peer", int64(ev.Peer)), sim.Int(AttrFull, boolInt(ev.Full)), sim.Int("ahead", boolInt(ev.Ahead)),
		sim.Int("retry", boolInt(ev.Retry)), sim.Str(AttrDetail, ev.Detail))
	o.suite.ObserveCollector(o.k.Now(), ev)
	switch ev.Kind {
	case collector.EvQuery:
		o.querying[ev.Collector] = true
	case collector.EvFetch:
		if o.querying[ev.Collector] {
			o.querying[ev.Collector] = false
			o.counters["collector_catchups"]++
		}
	case collector.EvFullState:
		o.counters["full_states"]++
	}
}
