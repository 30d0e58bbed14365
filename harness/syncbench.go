package harness

import (
	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
	"github.com/monsim/monsim/sim"
)

// A sync bench measures one full sync of a big store: three monitors, two
// of them preloaded with the store (node.Config.Preload), the third empty;
// it starts once the others first trim (the preload's version is gone) and
// full-syncs while a client keeps writing and deleting (not by prefix: a
// prefix such as k1 would take a sixteenth of the preloaded keys with it). Power can
// be cut at the requester partway through the copy; it then resumes the
// sync, or starts it over (node.Config.NoResume). Every event checker runs
// on it.

// SyncBenchOptions choose one measured sync.
type SyncBenchOptions struct {
	Seed uint64
	Keys int // config keys in the preloaded store (PreloadKeys)
	// CutAt cuts the requester's power right after its CutAt-th snapshot
	// chunk is durable (0: never); it is down 300 ms.
	CutAt int
	// Restart makes an interrupted sync start over instead of resuming.
	Restart bool
}

// SyncBenchResult is what the sync cost.
type SyncBenchResult struct {
	Chunks  int   // snapshot chunks the requester wrote, every attempt counted
	Bytes   int64 // state the providers sent the requester, every attempt counted
	Resent  int64 // of the keys the requester wrote, those an earlier attempt had made durable already
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
	k := sim.New(sim.Config{Seed: o.Seed, Endpoints: monitors + 1, Disks: monitors, Net: clusterNet, Disk: diskCosts(),
		MaxEvents: 1 << 40, MaxTime: syncBenchEnd, Vocabulary: Vocabulary(monitors, 0)})
	obs := newObserver(k, monitors, sim.Plan{})
	var res SyncBenchResult
	var started int64 = -1
	booted := false
	obs.tap = func(rank int, ev node.Event) {
		switch {
		case ev.Kind == node.EvTrim && !booted:
			booted = true // the preload's version is gone: the requester must sync fully
			k.Start(requester, k.Now()+100*sim.Millisecond)
		case ev.Kind == node.EvProvide && ev.Peer == requester:
			res.Bytes += ev.Bytes
		case rank != requester:
		case ev.Kind == node.EvSyncStart && ev.Full && started < 0:
			started = k.Now()
		case ev.Kind == node.EvSyncChunk && ev.Detail == "snapshot":
			res.Chunks++
			res.Resent += ev.Resent
		case ev.Kind == node.EvSyncResumed:
			res.Resumed++
		case ev.Kind == node.EvSyncFinish && ev.Full && res.InSync == 0:
			res.InSync = k.Now() - started
		}
	}
	preload := PreloadKeys(o.Keys)
	for r := range monitors {
		cfg := MonitorConfig(r, monitors)
		cfg.Store = kvstore.Options{L1Every: -1, L2Every: 1 << 30, SegmentBytes: 1 << 40} // no full-state checkpoints mid-run
		cfg.SyncChunkKeys, cfg.SyncChunkBytes, cfg.NoResume = 512, 64<<10, o.Restart
		if r != requester {
			cfg.Preload = preload
		}
		k.Attach(r, &monitorHost{k: k, rank: r, cfg: cfg, obs: obs})
		if r != requester {
			k.Start(r, 0) // the requester starts at the first trim (above)
		}
	}
	cl := &client{k: k, id: monitors, monitors: monitors, rand: k.Stream("client/0"), obs: obs,
		opts: ClientOptions{Keys: 50, ThinkMin: 5 * sim.Millisecond, ThinkMax: 20 * sim.Millisecond, Timeout: 300 * sim.Millisecond,
			GiveUpAfter: 4 * sim.Second, StopAt: syncBenchEnd, HealAt: syncBenchEnd}}
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
