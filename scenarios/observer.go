package scenarios

import (
	"fmt"
	"strings"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// observer takes every monitor event: it writes it to the trace (so it is
// part of the trace hash), feeds the checkers, and counts what happened.
type observer struct {
	k        *sim.Kernel
	cluster  *checker.Cluster
	counters Counters
	maxFC    uint64
	// For scenarios where every store breaks: which have, when the last
	// did, and what happened after that must not have.
	broken      []bool
	repairing   []bool
	allBroken   bool  // every store has broken...
	allBrokenAt int64 // ...at this time
	newLife     []checker.Violation
	// repairPath measures the first repair's filesystem operations, from
	// repair/start to the end of the switch, for crash-point enumeration.
	repairPath RepairPath
}

// RepairPath is the first repair of a run: which monitor, and how many
// mutating filesystem operations it made from repair/start to the end of
// its switch (0 if it never finished).
type RepairPath struct {
	Node     int
	startOps int64
	Ops      int64
}

func newObserver(k *sim.Kernel, monitors int) *observer {
	counters := Counters{}
	for _, name := range []string{"elections", "full_syncs", "recent_syncs", "trims", "commits",
		"repairs_started", "repairs_completed", "repairs_full", "repairs_recent", "mid_repair_power_losses"} {
		counters[name] = 0 // reported even when nothing happened
	}
	return &observer{k: k, cluster: checker.NewCluster(monitors), counters: counters, repairPath: RepairPath{Node: -1},
		broken: make([]bool, monitors), repairing: make([]bool, monitors)}
}

// eventTraceKinds caches "ev/<kind>" so tracing an event allocates nothing.
var eventTraceKinds = func() map[node.EventKind]string {
	m := map[node.EventKind]string{}
	for k := node.EventKind(1); k < 255; k++ {
		if name := k.String(); !strings.HasPrefix(name, "event-") {
			m[k] = "ev/" + name
		}
	}
	return m
}()

func (o *observer) event(rank int, ev node.Event) {
	ev.Rank = rank
	o.k.Record(rank, eventTraceKinds[ev.Kind],
		sim.Uint("v", ev.Version), sim.Uint("fc", ev.FC), sim.Uint("hash", ev.Hash), sim.Uint("epoch", ev.Epoch),
		sim.Int("peer", int64(ev.Peer)), sim.Uint("quorum", ev.Quorum), sim.Int("until", ev.Until),
		sim.Str("detail", ev.Detail), sim.Int("full", boolInt(ev.Full)))
	o.cluster.Observe(o.k.Now(), ev)
	switch ev.Kind {
	case node.EvQuorum:
		if ev.Peer == rank {
			o.counters["elections"]++
		}
		o.noteAfterAllBroke(rank, "joined a quorum in epoch", ev.Epoch)
	case node.EvSyncFinish:
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
		o.noteAfterAllBroke(rank, "committed version", ev.Version)
	case node.EvRepairStart:
		// A repair may resume several times, and power can fail between
		// its mark and the report of it: count repairs, not reports.
		if !o.repairing[rank] {
			o.repairing[rank] = true
			o.counters["repairs_started"]++
		}
		if strings.HasPrefix(ev.Detail, "fresh") {
			o.noteBroken(rank)
		}
	case node.EvStoreOpen:
		if ev.Detail == "store" && o.repairing[rank] { // the switch finished; its report was cut off
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
		o.noteAfterAllBroke(rank, "finished a repair at lc", ev.Version)
	}
}

// boot reports a monitor's restart and whether its disk held a complete
// main store.
func (o *observer) boot(rank int, mainStore bool) {
	o.cluster.Boot(o.k.Now(), rank, mainStore)
}

// point watches probe points for the first repair's path.
func (o *observer) point(rank int, name string, ops int64) {
	p := &o.repairPath
	switch {
	case name == "repair/start" && p.Node < 0:
		p.Node, p.startOps = rank, ops
	case name == "repair/after-mark-delete" && p.Node == rank && p.Ops == 0:
		p.Ops = ops - p.startOps
	}
}

func (o *observer) ackedWrite(client int, reqID, version uint64) {
	o.cluster.AckedWrite(o.k.Now(), client, reqID, version)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (o *observer) noteBroken(rank int) {
	if o.allBroken {
		return
	}
	o.broken[rank] = true
	for _, b := range o.broken {
		if !b {
			return
		}
	}
	o.allBroken, o.allBrokenAt = true, o.k.Now()
}

// noteAfterAllBroke records progress made after every store broke: with
// no intact copy left, any quorum or commit starts a new, empty history.
func (o *observer) noteAfterAllBroke(rank int, what string, n uint64) {
	if o.allBroken && len(o.newLife) < 5 {
		o.newLife = append(o.newLife, checker.Violation{Checker: "unavailability", Node: rank, At: o.k.Now(),
			Reason: fmt.Sprintf("%s %d after every store broke at t=%s: a new history began without any intact copy", what, n, sim.FormatTime(o.allBrokenAt))})
	}
}

// stayedUnavailable is the verdict of a scenario where every store breaks.
func (o *observer) stayedUnavailable(now int64, monitors int) ([]checker.Violation, string) {
	if !o.allBroken {
		return []checker.Violation{{Checker: "unavailability", Node: -1, At: now,
			Reason: "the plan did not break every store: nothing to check"}}, ""
	}
	if len(o.newLife) > 0 {
		return o.newLife, ""
	}
	return nil, fmt.Sprintf("every store broke by t=%s; the cluster stayed unavailable, as it must: no quorum formed and nothing was committed after that, and all %d monitors are still repairing, waiting for replies from a majority of intact peers",
		sim.FormatTime(o.allBrokenAt), monitors)
}
