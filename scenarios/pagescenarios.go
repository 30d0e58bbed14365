package scenarios

import (
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
	"slices"
)

// The page scenarios damage single pages of stores' checkpoints, where a
// page repair can mend them (node/pagerepair.go), and attack it.
func init() {
	for _, s := range []clusterSpec{
		{name: "repair-page", desc: "one store loses one to three pages (sometimes its own metadata's); stale peers may answer first",
			faults: repairPageFaults},
		{name: "repair-scattered", desc: "a majority of the stores each lose a different page at once: only page repair can recover; with -page-repair=false the cluster must stay unavailable",
			faults: repairScatteredFaults, scattered: true},
		{name: "repair-page-powerloss", desc: "one store loses pages, and power is cut again and again at the page repair's own steps",
			faults: repairPagePowerlossFaults},
	} {
		register(clusterScenario(s))
	}
}

// Pages of a monitor's store that hold data in its checkpoints (the layout
// is in node/pages.go): the client result table, the config keys the
// clients write (k0..k4), the first 500 versions (a 40 s run commits about
// 1,700, and keeps the last 50 to 125), and the monitor's own metadata and
// version head.
const (
	pageClients  = 1
	pageKeysK0   = 2 // k0, k1
	pageKeysK2   = 3 // k2, k3
	pageKeysK4   = 4
	pageMetadata = 10
	pageHead     = 12
	pageVersions = 13
)

// firstCheckpoint is when every monitor has written its first checkpoint
// that holds data (every 256 batches): before it, the state is all in the
// log, and no page of a checkpoint holds anything to damage.
const firstCheckpoint = 7 * sim.Second

// dataPages are the replicated pages that hold data in a checkpoint taken
// before t: the ones of keys and results, and of the versions then.
func dataPages(t int64) []int {
	versions := pageVersions
	if t > 19*sim.Second {
		versions++
	}
	return []int{pageClients, pageKeysK0, pageKeysK2, pageKeysK4, versions}
}

// breakPages damages the given pages of monitor m's checkpoint while it is
// down: a crash or an honest power loss at t, a bit flip in each page
// halfway through, a restart. With no stream, a crash.
func breakPages(r *rng.Stream, t, down int64, m int, pages []int) []sim.Fault {
	out := []sim.Fault{{At: t, Kind: sim.FaultCrash, Node: m, For: down}}
	if r != nil && r.Chance(0.5) {
		out[0].Kind, out[0].Power = sim.FaultPowerLoss, faultfs.Honest
	}
	for i, p := range pages {
		out = append(out, sim.Fault{At: t + down/2 + int64(i), Kind: sim.FaultCorrupt, Node: m,
			Corruption: faultfs.BitFlip, Target: sim.Target(node.PageTargets()[p])})
	}
	return out
}

// downFor is how long a monitor whose pages break stays down: a moment
// (the others wait for it, so its pages come back at its own lc), or long
// enough for the others to elect without it and go on (an accept timeout
// and an election: about 3 s), but not past a trim, so its pages come back
// ahead of it and it catches up past them by a recent sync.
func downFor(r *rng.Stream, long bool) int64 {
	if long {
		return r.Range(2300*sim.Millisecond, 2700*sim.Millisecond)
	}
	return r.Range(100*sim.Millisecond, 800*sim.Millisecond)
}

// somePages draws one to three distinct data pages, and now and then one of
// the monitor's own local pages.
func somePages(r *rng.Stream, t int64) []int {
	pool := dataPages(t)
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	pages := pool[:r.Range(1, 3)]
	if r.Chance(0.25) {
		pages = append(pages, []int{pageMetadata, pageHead}[r.Intn(2)])
	}
	return pages
}

// onePageBreak breaks pages of one store at a random moment; half the time
// it plays the stale interleaving around it: a minority lags, and the
// up-to-date others are cut off just as the store breaks, so the first
// page reports come from stale monitors.
func onePageBreak(r *rng.Stream, n int, from, to int64) ([]sim.Fault, int) {
	if !r.Chance(0.5) {
		m, t := r.Intn(n), r.Range(from, to)
		return breakPages(r, t, downFor(r, r.Chance(0.5)), m, somePages(r, t)), m
	}
	order := perm(r, n)
	m := order[0]
	stale := order[1 : 1+(n-1)/2]
	fresh := order[1+(n-1)/2:]
	lag := r.Range(4*sim.Second, 7*sim.Second)
	cut := r.Range(2*sim.Second, 4*sim.Second)
	t := max(r.Range(from, to), lag+2*sim.Second)
	out := []sim.Fault{
		{At: t - lag, Kind: sim.FaultPartition, Group: stale, Peers: others(n, stale), For: lag},
		{At: t, Kind: sim.FaultPartition, Group: fresh, Peers: others(n, fresh), For: cut},
	}
	return append(out, breakPages(r, t, downFor(r, false), m, somePages(r, t))...), m
}

func repairPageFaults(r *rng.Stream, n int) []sim.Fault {
	f, _ := onePageBreak(r, n, firstCheckpoint, 15*sim.Second)
	return f
}

// repairScatteredFaults break a majority of the stores at once, each in a
// page of its own: every page keeps an intact copy on the others.
func repairScatteredFaults(r *rng.Stream, n int) []sim.Fault {
	t := r.Range(firstCheckpoint, 14*sim.Second)
	// Not the page of k4 alone: a delete may leave it empty in the
	// checkpoint, with nothing to damage, and then no majority breaks.
	pool := slices.DeleteFunc(dataPages(t), func(p int) bool { return p == pageKeysK4 })
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	var out []sim.Fault
	for i, m := range perm(r, n)[:n/2+1] {
		out = append(out, breakPages(r, t+r.Range(0, 50*sim.Millisecond), downFor(r, false), m, []int{pool[i%len(pool)]})...)
	}
	return out
}

// repairPagePowerlossFaults break pages of one store and cut its power at
// the page repair's steps, a few disk operations past them now and then,
// or fail its disk there for a moment. One cut always falls in the
// catch-up, after a version or a few applied past an installed page: the
// restart's redo must leave that page alone.
func repairPagePowerlossFaults(r *rng.Stream, n int) []sim.Fault {
	m, t := r.Intn(n), r.Range(firstCheckpoint, 14*sim.Second)
	pool := dataPages(t)[:4] // pages whose keys are written again and again
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := breakPages(r, t, downFor(r, r.Chance(0.8)), m, pool[:r.Range(1, 2)])
	points := node.PageRepairPoints()
	for i := range r.Range(2, 4) {
		p := points[r.Intn(len(points))]
		nth := int(r.Range(1, 2))
		down := r.Range(100*sim.Millisecond, 600*sim.Millisecond)
		if i == 0 {
			p = node.PointPageCatchUp
		}
		if p == node.PointPageCatchUp {
			// Back soon: the others trim about two seconds behind their
			// lc, and the catch-up must still find them holding its next
			// version.
			nth, down = int(r.Range(1, 4)), r.Range(50*sim.Millisecond, 250*sim.Millisecond)
		}
		f := sim.Fault{On: &sim.Trigger{Point: sim.Point(p), Node: m, Nth: nth},
			Kind: sim.FaultPowerLoss, Node: m, Power: []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)],
			For: down}
		if r.Chance(0.3) {
			f.On.AfterOps = int(r.Range(1, 6))
		}
		out = append(out, f)
	}
	if r.Chance(0.3) {
		out = append(out, diskErrorAt(r, m, points[r.Intn(len(points))]))
	}
	return append(out, pageMischief(r, n, m, pool[0])...)
}

// pageMischief adds, each on a coin toss, what makes a page repair meet the
// rest of its failure modes: its sources cut off just as it chose them (a
// fetch that times out); and the page breaks again while the monitor is
// down in its catch-up's first sync chunk (a full sync's partial store
// must fall back to a whole-store repair).
func pageMischief(r *rng.Stream, n, m, page int) []sim.Fault {
	var out []sim.Fault
	if r.Chance(0.3) {
		out = append(out, sim.Fault{On: &sim.Trigger{Point: sim.Point(node.PointPageSources), Node: m, Nth: 1},
			Kind: sim.FaultPartition, Node: m, Group: []int{m}, Peers: others(n, []int{m}),
			For: r.Range(2200*sim.Millisecond, 3*sim.Second)})
	}
	if r.Chance(0.3) {
		at := &sim.Trigger{Point: sim.Point(node.PointSyncChunkApplied), Node: m, Nth: 1}
		out = append(out,
			sim.Fault{On: at, Kind: sim.FaultPowerLoss, Node: m, Power: faultfs.Honest, For: 300 * sim.Millisecond},
			sim.Fault{On: &sim.Trigger{Point: at.Point, Node: m, Nth: 1, Delay: 150 * sim.Millisecond},
				Kind: sim.FaultCorrupt, Node: m, Corruption: faultfs.BitFlip, Target: sim.Target(node.PageTargets()[page])})
	}
	return out
}
