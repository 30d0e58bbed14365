package scenarios

import (
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// The repair scenarios break monitors' stores and attack the repair: power
// cuts at its steps, its sync provider dying, two repairs at once, and every
// store broken at once. Most breaks come after the first trims (about 2.5 s
// in), so the repair needs a full sync; the earliest find no trim yet and
// repair with a recent sync from version 1.
func init() {
	for _, s := range []clusterSpec{
		{name: "repair", desc: "one store breaks (lying disk or bit rot in log, checkpoint or manifest); stale peers may answer first",
			faults: repairFaults},
		{name: "repair-powerloss", desc: "one store breaks, and power is cut again and again at the repair's own steps",
			faults: repairPowerlossFaults},
		{name: "repair-provider-crash", desc: "one store breaks, and its sync provider crashes or loses power mid-sync",
			faults: repairProviderFaults},
		{name: "repair-double", desc: "two of five stores break, one after the other",
			faults: repairDoubleFaults},
		{name: "repair-stale", desc: "three monitors: one lags, the store of an up-to-date one breaks, the other up-to-date one is cut off (the literal repair's losing interleaving)",
			faults: repairStaleFaults, monitors: 3},
		{name: "repair-all", desc: "every store breaks: the cluster must stay unavailable and never start a new history",
			faults: repairAllFaults, unavailable: true},
	} {
		register(clusterScenario(s))
	}
}

// storeBreak is one way to make a store fail to open. Only damage the store
// can detect is used: a truncated log, or a zeroed or misdirected sector at
// its very end, reads like a torn write and would silently lose synced batches
// (node/kvstore/doc.go), which no monitor could be expected to survive.
type storeBreak struct {
	lying  bool                // a lying-disk power loss
	kind   faultfs.CorruptKind // else: this corruption...
	target node.Target         // ...of this part of the store, while the monitor is down
}

var storeBreaks = []storeBreak{
	{kind: faultfs.BitFlip, target: node.TargetLog},
	{kind: faultfs.BitFlip, target: node.TargetCheckpoint},
	{kind: faultfs.BitFlip, target: node.TargetManifest},
	{kind: faultfs.ZeroSector, target: node.TargetCheckpoint},
	{kind: faultfs.ZeroSector, target: node.TargetManifest},
	{kind: faultfs.Truncate, target: node.TargetCheckpoint},
	{kind: faultfs.Wipe, target: node.TargetStore},
	{kind: faultfs.Wipe, target: node.TargetManifest},
	// The last two may miss: a small checkpoint can leave a misdirected
	// sector nowhere to land, and a lying disk's losses may all fall where
	// an intact level-1 checkpoint covers them.
	{kind: faultfs.Misdirect, target: node.TargetCheckpoint},
	{lying: true},
}

// sureBreaks is how many of storeBreaks always break the store. Of those,
// the ones inside the checkpoint may hit a page of it alone, which a page
// repair fixes (pagescenarios.go); wholeStoreBreaks never do.
const sureBreaks = 8

var wholeStoreBreaks = []storeBreak{
	{kind: faultfs.BitFlip, target: node.TargetLog},
	{kind: faultfs.BitFlip, target: node.TargetManifest},
	{kind: faultfs.ZeroSector, target: node.TargetManifest},
	{kind: faultfs.Wipe, target: node.TargetStore},
	{kind: faultfs.Wipe, target: node.TargetManifest},
}

// breakStore makes monitor m's store fail to open at time t.
func breakStore(r *rng.Stream, t int64, m int) []sim.Fault {
	return breakStoreWith(storeBreaks[r.Intn(len(storeBreaks))], r, t, m)
}

// breakWholeStore never picks a break that can miss, nor one a page repair
// could mend.
func breakWholeStore(r *rng.Stream, t int64, m int) []sim.Fault {
	return breakStoreWith(wholeStoreBreaks[r.Intn(len(wholeStoreBreaks))], r, t, m)
}

// breakStoreWith applies one break; with no stream the monitor is down for
// a fixed 400 ms.
func breakStoreWith(b storeBreak, r *rng.Stream, t int64, m int) []sim.Fault {
	down := 400 * sim.Millisecond
	if r != nil {
		down = r.Range(100*sim.Millisecond, 800*sim.Millisecond)
	}
	if b.lying {
		return []sim.Fault{{At: t, Kind: sim.FaultPowerLoss, Node: m, Power: faultfs.Lying, For: down}}
	}
	return []sim.Fault{
		{At: t, Kind: sim.FaultCrash, Node: m, For: down},
		{At: t + down/2, Kind: sim.FaultCorrupt, Node: m, Corruption: b.kind, Target: sim.Target(b.target)},
	}
}

// oneBreak breaks one store at a random moment; half the time it plays the
// literal repair's losing interleaving around it (staleBreak).
func oneBreak(r *rng.Stream, n int, from, to int64) ([]sim.Fault, int) {
	if r.Chance(0.5) {
		return staleBreak(r, n, from, to)
	}
	m := r.Intn(n)
	return breakStore(r, r.Range(from, to), m), m
}

// staleBreak leaves a minority of monitors behind, then breaks an
// up-to-date monitor's store and cuts the other up-to-date ones off for a
// while: the first probe replies the repair gets come from stale monitors
// (README). The safe repair must sit it out.
func staleBreak(r *rng.Stream, n int, from, to int64) ([]sim.Fault, int) {
	order := perm(r, n)
	m := order[0]
	stale := order[1 : 1+(n-1)/2]
	fresh := order[1+(n-1)/2:]
	// The others need an accept timeout and an election (~3 s) to go on
	// without the laggards before they can get ahead of them.
	lag := r.Range(4*sim.Second, 7*sim.Second)
	cut := r.Range(3*sim.Second, 5*sim.Second)
	t := max(r.Range(from, to), lag+2*sim.Second)
	out := []sim.Fault{
		{At: t - lag, Kind: sim.FaultPartition, Group: stale, Peers: others(n, stale), For: lag},
		{At: t, Kind: sim.FaultPartition, Group: fresh, Peers: others(n, fresh), For: cut},
	}
	return append(out, breakStore(r, t, m)...), m
}

func repairFaults(r *rng.Stream, n int) []sim.Fault {
	f, _ := oneBreak(r, n, 1500*sim.Millisecond, 14*sim.Second)
	return f
}

// repairStaleFaults always play the losing interleaving.
func repairStaleFaults(r *rng.Stream, n int) []sim.Fault {
	f, _ := staleBreak(r, n, 5*sim.Second, 12*sim.Second)
	return f
}

func repairPowerlossFaults(r *rng.Stream, n int) []sim.Fault {
	out, m := oneBreak(r, n, 1500*sim.Millisecond, 12*sim.Second)
	points := node.RepairPoints()
	for range r.Range(2, 4) {
		f := sim.Fault{
			On:   &sim.Trigger{Point: sim.Point(points[r.Intn(len(points))]), Node: m, Nth: int(r.Range(1, 2))},
			Kind: sim.FaultPowerLoss, Node: m, Power: []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)],
			For: r.Range(100*sim.Millisecond, 600*sim.Millisecond),
		}
		if r.Chance(0.3) {
			f.On.AfterOps = int(r.Range(1, 6)) // a few disk operations past the step
		}
		out = append(out, f)
	}
	if r.Chance(0.4) {
		// The disk fails for a moment at one of the repair's steps: the
		// monitor stops there and its host restarts it, mid-repair.
		out = append(out, diskErrorAt(r, m, points[r.Intn(len(points))]))
	}
	if r.Chance(0.3) {
		// The copy itself rots while the monitor is down mid-sync: at its
		// restart it must throw the copy away and start over.
		at := &sim.Trigger{Point: sim.Point(node.PointRepairSyncChunk), Node: m, Nth: 1}
		out = append(out,
			sim.Fault{On: at, Kind: sim.FaultPowerLoss, Node: m, Power: faultfs.Honest, For: 400 * sim.Millisecond},
			sim.Fault{On: &sim.Trigger{Point: at.Point, Node: m, Nth: 1, Delay: 200 * sim.Millisecond},
				Kind: sim.FaultCorrupt, Node: m, Corruption: faultfs.BitFlip, Target: sim.Target(node.TargetRepairCopy)})
	}
	return out
}

// diskErrorAt fails monitor m's disk for a moment from the first time it
// passes point: reads, writes, syncs, namespace changes (create, rename,
// remove) or lookups (open, list, stat), or a full disk.
func diskErrorAt(r *rng.Stream, m int, point node.Point) sim.Fault {
	f := sim.Fault{On: &sim.Trigger{Point: sim.Point(point), Node: m, Nth: 1}, Node: m,
		Prob: float64(r.Range(30, 100)) / 100, For: r.Range(20*sim.Millisecond, 200*sim.Millisecond)}
	if r.Chance(0.2) {
		f.Kind = sim.FaultDiskENOSPC
	} else {
		f.Kind, f.IO = sim.FaultDiskEIO, eioClasses[r.Intn(len(eioClasses))]
	}
	return f
}

func repairProviderFaults(r *rng.Stream, n int) []sim.Fault {
	out, m := oneBreak(r, n, 5*sim.Second, 12*sim.Second)
	for range r.Range(1, 2) {
		f := sim.Fault{
			On:  &sim.Trigger{Point: sim.Point(node.PointRepairSyncChunk), Node: m, Nth: int(r.Range(1, 2))},
			Ref: &sim.NodeRef{Role: harness.RoleSyncProvider, Of: m}, Kind: sim.FaultCrash,
			For: r.Range(300*sim.Millisecond, 2*sim.Second),
		}
		if r.Chance(0.5) {
			f.Kind, f.Power = sim.FaultPowerLoss, faultfs.Honest
		}
		out = append(out, f)
	}
	return out
}

func repairDoubleFaults(r *rng.Stream, n int) []sim.Fault {
	order := perm(r, n)
	t := r.Range(1500*sim.Millisecond, 10*sim.Second)
	out := breakStore(r, t, order[0])
	return append(out, breakStore(r, t+r.Range(500*sim.Millisecond, 6*sim.Second), order[1])...)
}

func repairAllFaults(r *rng.Stream, n int) []sim.Fault {
	t := r.Range(3*sim.Second, 8*sim.Second)
	var out []sim.Fault
	for m := range n {
		out = append(out, breakWholeStore(r, t+r.Range(0, 100*sim.Millisecond), m)...)
	}
	return out
}
