package scenarios

import (
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node/kvstore"
	"github.com/monsim/monsim/sim"
)

// kv-crash drives one kvstore through batches while its host crashes and
// loses power (honest and torn), sometimes at the store's own probe points
// (checkpoint and manifest switches), and while its disk fails writes and
// syncs, each failure followed soon by a power cut: a store that counted a
// batch whose fsync failed as durable loses it then. Now and then a bit
// flips at the end of its newest log segment while it is down: it must
// refuse to open rather than take the damage for a torn write.
func init() {
	register(&Scenario{
		Name:        "kv-crash",
		Description: "one kvstore under batches, process crashes, honest/torn power losses, write and fsync errors each followed by a power cut, and now and then a bit flip at the log's tail; no synced batch may be lost",
		Generate:    kvCrashPlan,
		execute: func(o Options, plan sim.Plan) *harness.Result {
			return harness.RunStore(harness.StoreOptions{Seed: o.Seed, Bug: o.Bug, Plan: plan, Trace: o.Trace})
		},
		monitors:   func(Options) int { return 0 },
		collectors: func(Options) int { return 0 },
	})
}

// kvCutPoints are the store's steps worth a power cut: every probe point
// but the last of a switch, after which nothing is left to tear.
var kvCutPoints = []kvstore.Point{
	kvstore.PointLogEntryWritten, kvstore.PointL1Written, kvstore.PointCkptWritten, kvstore.PointCkptSynced,
	kvstore.PointCkptRenamed, kvstore.PointSegmentCreated, kvstore.PointDirSynced, kvstore.PointManifestWritten,
	kvstore.PointManifestSynced, kvstore.PointManifestRenamed, kvstore.PointObsoleteRemoved,
}

func kvCrashPlan(o Options) sim.Plan {
	r := rng.New(o.Seed, "plan")
	var p sim.Plan
	for t := r.Range(200*sim.Millisecond, sim.Second); t < harness.StoreFaultPhase; t += r.Range(300*sim.Millisecond, 2*sim.Second) {
		f := sim.Fault{At: t, Node: 0, For: r.Range(sim.Millisecond, 100*sim.Millisecond)}
		switch r.Intn(3) {
		case 0:
			f.Kind = sim.FaultCrash
		case 1:
			f.Kind, f.Power = sim.FaultPowerLoss, faultfs.Honest
		default:
			f.Kind, f.Power = sim.FaultPowerLoss, faultfs.Torn
		}
		p.Faults = append(p.Faults, f)
	}
	// A failed write or fsync, then a power cut before the next good sync.
	for range r.Range(1, 4) {
		t := r.Range(500*sim.Millisecond, harness.StoreFaultPhase-sim.Second)
		f := sim.Fault{At: t, Node: 0, Prob: float64(r.Range(30, 100)) / 100, For: r.Range(5*sim.Millisecond, 60*sim.Millisecond)}
		if r.Chance(0.2) {
			f.Kind = sim.FaultDiskENOSPC
		} else {
			f.Kind, f.IO = sim.FaultDiskEIO, []faultfs.IOClass{faultfs.OnSync, faultfs.OnWrite, faultfs.OnMeta}[r.Intn(3)]
		}
		p.Faults = append(p.Faults, f, sim.Fault{At: t + r.Range(sim.Millisecond, f.For+10*sim.Millisecond), Node: 0,
			Kind: sim.FaultPowerLoss, Power: []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)], For: r.Range(sim.Millisecond, 50*sim.Millisecond)})
	}
	// Cut power inside the store's own critical sections too: timed faults
	// rarely land there.
	for range r.Range(1, 3) {
		mode := []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)]
		p.Faults = append(p.Faults, sim.Fault{
			On:   &sim.Trigger{Point: sim.Point(kvCutPoints[r.Intn(len(kvCutPoints))]), Node: 0, Nth: int(r.Range(1, 4))},
			Kind: sim.FaultPowerLoss, Node: 0, Power: mode, For: r.Range(sim.Millisecond, 50*sim.Millisecond),
		})
	}
	// Opens, lists and stats fail around a restart, where the store opens:
	// a failed lookup is not a missing file. (Drawn after the faults above,
	// so their draws stay what they were.)
	for range r.Range(0, 2) {
		t, down := r.Range(500*sim.Millisecond, harness.StoreFaultPhase-sim.Second), r.Range(sim.Millisecond, 50*sim.Millisecond)
		p.Faults = append(p.Faults, sim.Fault{At: t, Node: 0, Kind: sim.FaultCrash, For: down}, lookupErrorsAtRestart(r, 0, t+down))
	}
	// Now and then a bit flips at the end of the newest log segment while
	// the host is down: damage that a store checking too little would take
	// for a torn write, silently dropping synced batches.
	if r.Chance(0.3) {
		t, down := r.Range(harness.StoreFaultPhase-4*sim.Second, harness.StoreFaultPhase-sim.Second), r.Range(10*sim.Millisecond, 100*sim.Millisecond)
		p.Faults = append(p.Faults, sim.Fault{At: t, Node: 0, Kind: sim.FaultCrash, For: down},
			sim.Fault{At: t + down/2, Node: 0, Kind: sim.FaultCorrupt, Corruption: faultfs.BitFlip, Target: harness.TargetLogTail})
	}
	return p
}
