package scenarios

import (
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
}

func newObserver(k *sim.Kernel, monitors int) *observer {
	counters := Counters{}
	for _, name := range []string{"elections", "full_syncs", "recent_syncs", "trims", "commits"} {
		counters[name] = 0 // reported even when nothing happened
	}
	return &observer{k: k, cluster: checker.NewCluster(monitors), counters: counters}
}

// eventTraceKinds caches "ev/<kind>" so tracing an event allocates nothing.
var eventTraceKinds = func() map[node.EventKind]string {
	m := map[node.EventKind]string{}
	for k := node.EvStoreOpen; k <= node.EvRead; k++ {
		m[k] = "ev/" + k.String()
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
