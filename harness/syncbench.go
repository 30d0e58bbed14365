package harness

import (
	"fmt"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
	"github.com/monsim/monsim/sim"
)

// A sync bench measures one full sync of a big store: three monitors, two
// of them preloaded with the store (node.Preload), the third empty; it
// starts two seconds in and full-syncs while a client keeps writing,
// deleting and deleting by prefix. Power can be cut at the
// requester partway through the copy; it then resumes the sync, or starts
// it over (node.Config.NoResume). Every event checker runs on it.

// SyncBenchOptions choose one measured sync.
type SyncBenchOptions struct {
	Seed      uint64
	Keys      int // config keys in the preloaded store
	ValueSize int // bytes per value; 0: 100
	// CutAt cuts the requester's power right after its CutAt-th snapshot
	// chunk is durable (0: never); it is down 300 ms.
	CutAt int
	// Restart makes an interrupted sync start over instead of resuming.
	Restart bool
}

// SyncBenchResult is what the sync cost.
type SyncBenchResult struct {
	Chunks  int   // snapshot chunks the requester wrote, every attempt counted
	Bytes   int64 // sync payload the providers sent the requester, every attempt counted
	Resent  int64 // of what the requester wrote, keys an earlier attempt had made durable already
	Resumed int64 // resumes that reached the provider's snapshot
	// InSync is the simulated time from the requester's first sync start to
	// the end of its full sync, 0 if it never ended.
	InSync     int64
	Violations []checker.Violation
}

// syncBenchEnd bounds a sync bench run in simulated time.
const syncBenchEnd = 600 * sim.Second

// RunSyncBench builds the world and runs it until the requester is in
// sync.
func RunSyncBench(o SyncBenchOptions) SyncBenchResult {
	const monitors, requester = 3, 2
	if o.ValueSize == 0 {
		o.ValueSize = 100
	}
	k := sim.New(sim.Config{Seed: o.Seed, Endpoints: monitors + 1, Disks: monitors, Net: clusterNet, Disk: diskCosts(),
		MaxEvents: 1 << 40, MaxTime: syncBenchEnd, Vocabulary: Vocabulary(monitors)})
	obs := newObserver(k, monitors, sim.Plan{})
	var res SyncBenchResult
	var started int64 = -1
	obs.tap = func(rank int, ev node.Event) {
		switch {
		case ev.Kind == node.EvProvide && ev.Peer == requester:
			res.Bytes += ev.Bytes
		case rank != requester:
		case ev.Kind == node.EvSyncStart && ev.Full && started < 0:
			started = k.Now()
		case ev.Kind == node.EvSyncChunk && ev.Detail != "" && ev.Bytes > 0:
			res.Chunks++
			res.Resent += ev.Resent
		case ev.Kind == node.EvSyncResumed:
			res.Resumed++
		case ev.Kind == node.EvSyncFinish && ev.Full && res.InSync == 0:
			res.InSync = k.Now() - started
		}
	}
	value := make([]byte, o.ValueSize)
	for r := range monitors {
		cfg := MonitorConfig(r, monitors)
		cfg.Store = kvstore.Options{L1Every: -1, L2Every: 1 << 30, SegmentBytes: 1 << 40} // no full-state checkpoints mid-run
		cfg.SyncChunkKeys, cfg.SyncChunkBytes, cfg.NoResume = 512, 64<<10, o.Restart
		if r != requester {
			err := node.Preload(k.Disk(r), cfg, o.Keys, func(i int) (string, []byte) { return fmt.Sprintf("bulk/%08d", i), value })
			if err != nil {
				res.Violations = append(res.Violations, checker.Violation{Checker: checker.NamePlan, Node: r, Reason: err.Error()})
				return res
			}
		}
		h := &monitorHost{k: k, rank: r, cfg: cfg, obs: obs}
		k.Attach(r, h)
		at := int64(0)
		if r == requester {
			at = 2 * sim.Second // once the others commit the client's writes
		}
		k.Start(r, at)
	}
	cl := &client{k: k, id: monitors, monitors: monitors, rand: k.Stream("client/0"), obs: obs,
		opts: ClientOptions{Keys: 50, ThinkMin: 5 * sim.Millisecond, ThinkMax: 20 * sim.Millisecond, Timeout: 300 * sim.Millisecond,
			GiveUpAfter: 4 * sim.Second, StopAt: syncBenchEnd, HealAt: syncBenchEnd, PrefixDeletes: true}}
	k.Attach(monitors, cl)
	k.Start(monitors, 0)
	var plan sim.Plan
	if o.CutAt > 0 {
		plan.Faults = []sim.Fault{{On: &sim.Trigger{Point: sim.Point(node.PointSyncChunkApplied), Node: requester, Nth: o.CutAt},
			Kind: sim.FaultPowerLoss, Node: requester, Power: faultfs.Honest, For: 300 * sim.Millisecond}}
	}
	if err := k.Load(plan); err != nil {
		res.Violations = append(res.Violations, checker.Violation{Checker: checker.NamePlan, Node: -1, Reason: err.Error()})
		return res
	}
	for res.InSync == 0 && k.Now() < syncBenchEnd {
		if err := k.Run(k.Now() + 100*sim.Millisecond); err != nil {
			res.Violations = append(res.Violations, checker.Violation{Checker: checker.NameBudget, Node: -1, At: k.Now(), Reason: err.Error()})
			break
		}
	}
	res.Violations = append(res.Violations, obs.suite.Violations()...)
	return res
}
