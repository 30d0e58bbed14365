package scenarios

import (
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// The monitor-cluster scenarios. Each derives its fault phase's plan from
// the seed; the harness adds the heal phase.
func init() {
	for _, s := range []struct {
		name, desc string
		faults     func(r *rng.Stream, monitors int) []sim.Fault
	}{
		{"steady", "no faults: elections, commits, leases and trims on a healthy cluster", func(*rng.Stream, int) []sim.Fault { return nil }},
		{"crash-restart", "process crashes and honest power losses of a minority at a time, power cuts right after an accept, and failed writes or fsyncs followed by a power cut", crashRestartFaults},
		{"partition", "symmetric and one-way partitions, clogs, slow links, process pauses, loss, duplication and wire corruption", partitionFaults},
		{"lagging", "a monitor down long enough to need a recent sync", laggingFaults},
		{"trimmed", "a monitor down past a trim, so it needs a full sync", trimmedFaults},
		{"swarm", "each seed draws its own mix of crash, power, disk-error, rot-at-rest, page-damage and network faults", swarmFaults},
		{"handover", "a monitor back from a crash calls an election just as the leader is cut off with one peon: old leases must run out before the new leader commits", handoverFaults},
	} {
		spec := clusterSpec{name: s.name, desc: s.desc, faults: s.faults}
		if s.name == "swarm" {
			spec.collectorFaults = swarmCollectorFaults
		}
		register(clusterScenario(spec))
	}
	register(clusterScenario(clusterSpec{name: "sync-interrupted",
		desc:   "plain and repair full syncs, and recent ones, broken off at any chunk (requester crash, power cut or full disk, provider crash or power cut, a partition, a lost request, an older provider), then resumed while clients write, delete and delete by prefix: each resumed copy must equal the provider's state at s2, and a half-copied store must stay out",
		faults: syncInterruptedFaults, keys: 40, prefixDeletes: true, chunkKeys: 8}))
}

// clusterSpec describes a cluster scenario.
type clusterSpec struct {
	name, desc string
	faults     func(r *rng.Stream, monitors int) []sim.Fault
	// collectorFaults, if set, adds faults for the collectors (nodes
	// monitors..monitors+collectors-1), drawn from a stream of their own so
	// that the monitors' faults of a seed stay what they were.
	collectorFaults func(r *rng.Stream, monitors, collectors int) []sim.Fault
	// unavailable: every store breaks, so instead of converging after the
	// heal the cluster must stay unavailable and never start a new history.
	unavailable bool
	// scattered: a majority of the stores break in pages; only page repair
	// can recover, so with it off the cluster must stay unavailable once
	// that majority has broken.
	scattered  bool
	monitors   int // default cluster size; 0 means 5
	collectors int // default number of collectors; 0 means defaultCollectors
	// keys and prefixDeletes shape the clients' work, chunkKeys the sync
	// chunks (harness.Options).
	keys          int
	prefixDeletes bool
	chunkKeys     int
}

// defaultCollectors run beside the monitors of every cluster scenario that
// does not say otherwise: enough to keep events flowing, few enough that
// the default job stays fast (BENCHMARKS.md).
const defaultCollectors = 2

// clusterScenario wraps a fault generator into a scenario over a cluster.
func clusterScenario(spec clusterSpec) *Scenario {
	monitorsOf := func(o Options) int {
		switch {
		case o.Monitors != 0:
			return o.Monitors
		case spec.monitors != 0:
			return spec.monitors
		}
		return 5
	}
	collectorsOf := func(o Options) int {
		switch {
		case o.Collectors == NoCollectors:
			return 0
		case o.Collectors > 0:
			return o.Collectors
		case spec.collectors != 0:
			return spec.collectors
		}
		return defaultCollectors
	}
	return &Scenario{
		Name: spec.name, Description: spec.desc,
		Generate: func(o Options) sim.Plan {
			faults := spec.faults(rng.New(o.Seed, "plan"), monitorsOf(o))
			if n := collectorsOf(o); n > 0 && spec.collectorFaults != nil {
				faults = append(faults, spec.collectorFaults(rng.New(o.Seed, "plan/collectors"), monitorsOf(o), n)...)
			}
			return sim.Plan{Faults: faults}
		},
		execute: func(o Options, plan sim.Plan) *harness.Result {
			n := monitorsOf(o)
			ho := harness.Options{Seed: o.Seed, Monitors: n, Collectors: collectorsOf(o), Bug: o.Bug, Plan: plan, Workload: o.Workload,
				Unavailable: spec.unavailable, NoPageRepair: o.NoPageRepair, Trace: o.Trace,
				Keys: spec.keys, PrefixDeletes: spec.prefixDeletes, SyncChunkKeys: spec.chunkKeys}
			if spec.scattered && o.NoPageRepair {
				ho.Unavailable, ho.BrokenStores = true, n/2+1
			}
			return harness.RunCluster(ho)
		},
		monitors: monitorsOf, collectors: collectorsOf,
	}
}

// downBudget keeps at most f = (n-1)/2 monitors down at once, so a
// majority can always make progress.
type downBudget struct {
	until []int64 // per monitor: down until
}

func (d *downBudget) pick(r *rng.Stream, at, dur int64) (int, bool) {
	down := 0
	for _, u := range d.until {
		if u > at {
			down++
		}
	}
	if down >= (len(d.until)-1)/2 {
		return 0, false
	}
	for range len(d.until) {
		m := r.Intn(len(d.until))
		if d.until[m] <= at {
			d.until[m] = at + dur
			return m, true
		}
	}
	return 0, false
}

func crashRestartFaults(r *rng.Stream, n int) []sim.Fault {
	var out []sim.Fault
	d := downBudget{until: make([]int64, n)}
	for t := r.Range(2*sim.Second, 4*sim.Second); t < harness.FaultPhase; t += r.Range(500*sim.Millisecond, 3*sim.Second) {
		if r.Chance(0.2) {
			out = append(out, failedSyncCut(r, &d, t)...)
			continue
		}
		dur := r.Range(100*sim.Millisecond, 4*sim.Second)
		m, ok := d.pick(r, t, dur)
		if !ok {
			continue
		}
		f := sim.Fault{At: t, Node: m, For: dur, Kind: sim.FaultCrash}
		if r.Chance(0.5) {
			f.Kind, f.Power = sim.FaultPowerLoss, faultfs.Honest
		}
		out = append(out, f)
		if r.Chance(0.15) {
			out = append(out, lookupErrorsAtRestart(r, m, t+dur))
		}
	}
	return append(out, acceptWindowCuts(r, n)...)
}

// lookupErrorsAtRestart fails a monitor's opens, lists and stats around the
// moment its host restarts it, so its store's Open meets them: a store that
// takes a directory it could not read for an empty one, or a file it could
// not open for a missing one, starts over or starts a repair it has no
// reason for. A correct store fails with an I/O error and the host retries.
func lookupErrorsAtRestart(r *rng.Stream, m int, restart int64) sim.Fault {
	return sim.Fault{At: restart - r.Range(0, 20*sim.Millisecond), Node: m, Kind: sim.FaultDiskEIO, IO: faultfs.OnLookup,
		Prob: float64(r.Range(30, 100)) / 100, For: r.Range(20*sim.Millisecond, 200*sim.Millisecond)}
}

// failedSyncCut fails a monitor's writes or fsyncs for a moment from t,
// then cuts its power before its next good fsync: a monitor that went on
// after a failed fsync (acked an accept, answered a client) loses what it
// vouched for. A correct monitor stops at the error; its host restarts it.
func failedSyncCut(r *rng.Stream, d *downBudget, t int64) []sim.Fault {
	window := r.Range(20*sim.Millisecond, 300*sim.Millisecond)
	m, ok := d.pick(r, t, window+sim.Second)
	if !ok {
		return nil
	}
	f := sim.Fault{At: t, Node: m, Prob: float64(r.Range(50, 100)) / 100, For: window}
	if r.Chance(0.2) {
		f.Kind = sim.FaultDiskENOSPC
	} else {
		f.Kind, f.IO = sim.FaultDiskEIO, []faultfs.IOClass{faultfs.OnSync, faultfs.OnWrite}[r.Intn(2)]
	}
	return []sim.Fault{f, {At: t + r.Range(sim.Millisecond, window+50*sim.Millisecond), Node: m,
		Kind: sim.FaultPowerLoss, Power: []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)],
		For: r.Range(100*sim.Millisecond, 800*sim.Millisecond)}}
}

// acceptWindowCuts cut a peon's power just after it acked an accept, before
// anything else it writes is synced: timed faults almost never land in that
// millisecond, and it is where an acceptor that acks too early forgets.
func acceptWindowCuts(r *rng.Stream, n int) []sim.Fault {
	var out []sim.Fault
	for range r.Range(1, 3) {
		m := r.Intn(n)
		out = append(out, sim.Fault{
			On:   &sim.Trigger{Point: sim.Point(node.PointPaxosAccepted), Node: m, Nth: int(r.Range(20, 300)), Delay: r.Range(100*sim.Microsecond, 2*sim.Millisecond)},
			Kind: sim.FaultPowerLoss, Node: m, Power: faultfs.Honest, For: r.Range(200*sim.Millisecond, sim.Second),
		})
	}
	return out
}

func others(n int, group []int) []int {
	in := map[int]bool{}
	for _, g := range group {
		in[g] = true
	}
	var out []int
	for i := range n {
		if !in[i] {
			out = append(out, i)
		}
	}
	return out
}

func partitionFaults(r *rng.Stream, n int) []sim.Fault {
	var out []sim.Fault
	for t := r.Range(2*sim.Second, 4*sim.Second); t < harness.FaultPhase; t += r.Range(sim.Second, 4*sim.Second) {
		out = append(out, netFault(r, n, t))
	}
	return out
}

// netFault draws one network fault starting at t. Partitions cut monitors
// from monitors only: clients still reach every monitor, so a minority
// that keeps serving would be seen doing it.
func netFault(r *rng.Stream, n int, t int64) sim.Fault {
	dur := r.Range(300*sim.Millisecond, 4*sim.Second)
	switch r.Intn(9) {
	case 7, 8: // a slow link: a round's messages arrive during the next one
		a, b := twoOf(r, n)
		return sim.Fault{At: t, Kind: sim.FaultSlow, Node: a, Peer: b, Lag: r.Range(20*sim.Millisecond, 1500*sim.Millisecond), For: dur}
	case 6: // a process pause: the monitor wakes up to a backlog and a world that moved on
		return sim.Fault{At: t, Kind: sim.FaultPause, Node: r.Intn(n), For: r.Range(sim.Second, 6*sim.Second)}
	case 0, 1:
		group := perm(r, n)[:r.Range(1, int64((n-1)/2))]
		return sim.Fault{At: t, Kind: sim.FaultPartition, Group: group, Peers: others(n, group), For: dur}
	case 2:
		a, b := twoOf(r, n)
		return sim.Fault{At: t, Kind: sim.FaultBlock, Node: a, Peer: b, For: dur}
	case 3:
		a, b := twoOf(r, n)
		return sim.Fault{At: t, Kind: sim.FaultClog, Node: a, Peer: b, For: dur}
	case 4:
		kinds := []sim.FaultKind{sim.FaultNetLoss, sim.FaultNetDup, sim.FaultNetCorrupt}
		return sim.Fault{At: t, Kind: kinds[r.Intn(3)], Prob: float64(r.Range(1, 10)) / 100, For: dur}
	default:
		m := r.Intn(n)
		return sim.Fault{At: t, Kind: sim.FaultPartition, Group: []int{m}, Peers: others(n, []int{m}), For: dur}
	}
}

func perm(r *rng.Stream, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	r.Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}

func twoOf(r *rng.Stream, n int) (int, int) {
	a := r.Intn(n)
	b := (a + 1 + r.Intn(n-1)) % n
	return a, b
}

// laggingFaults keep a monitor down a little longer than the cluster needs
// to notice (an accept or lease timeout, then an election: about 3 s), so
// it comes back tens of versions behind: more than max_join_drift, less
// than a trim.
func laggingFaults(r *rng.Stream, n int) []sim.Fault {
	var out []sim.Fault
	for t := r.Range(2*sim.Second, 3*sim.Second); t < harness.FaultPhase-5*sim.Second; t += r.Range(5*sim.Second, 7*sim.Second) {
		out = append(out, sim.Fault{At: t, Kind: sim.FaultCrash, Node: r.Intn(n), For: r.Range(3400*sim.Millisecond, 4200*sim.Millisecond)})
	}
	return out
}

// handoverFaults stage fast leader changes: a peon crashes long enough for
// the others to re-elect without it; just as it may vote again (a lease
// period after its restart) and calls an election the others join at once,
// the leader (rank 0, the lowest rank, which wins every election it is in)
// is cut off together with one peon. The old leader may have renewed the
// leases of its side after the last round the new majority heard of; the
// new leader must wait those out too.
func handoverFaults(r *rng.Stream, n int) []sim.Fault {
	var out []sim.Fault
	for t := r.Range(2*sim.Second, 3*sim.Second); t < harness.FaultPhase-6*sim.Second; t += r.Range(6*sim.Second, 8*sim.Second) {
		m := 1 + r.Intn(n-1) // a peon
		down := r.Range(3*sim.Second, 4*sim.Second)
		out = append(out, sim.Fault{At: t, Kind: sim.FaultCrash, Node: m, For: down})
		side := []int{0, 1 + (m+r.Intn(n-2))%(n-1)} // the leader and another peon
		if side[1] == m {
			side[1] = 1 + m%(n-1)
		}
		cut := t + down + sim.Second + r.Range(-400*sim.Millisecond, 200*sim.Millisecond)
		out = append(out, sim.Fault{At: cut, Kind: sim.FaultPartition, Group: side, Peers: others(n, side),
			For: r.Range(sim.Second, 3*sim.Second)})
	}
	return out
}

// syncInterruptedFaults make a monitor fall behind, far enough for a full
// sync (past a trim, or its store broken so that a repair copies it whole)
// or a recent one, then break its sync off at one of its chunks: the
// requester crashes or loses power, the provider crashes or loses power,
// the requester is cut off past the sync timeout, its disk fills up, or a
// chunk request is lost; or it is cut off together with a monitor that was
// down since just before the sync began, the only provider it can reach
// and older than its copy. The sync then resumes, from the same provider or
// another, while the clients keep writing, deleting and deleting by prefix.
// Right after the break the leader dies, so elections run while the
// requester's store is half copied; and the requester comes back deaf-mute
// for a while: it hears the cluster, its own messages are lost, so it
// lingers with its partial store where a monitor that forgot it was partial
// would vote. Power is also cut at the resume's own steps.
func syncInterruptedFaults(r *rng.Stream, n int) []sim.Fault {
	m := 1 + r.Intn(n-1)
	t := r.Range(2*sim.Second, 4*sim.Second)
	down := r.Range(3400*sim.Millisecond, 4200*sim.Millisecond) // a recent sync
	if r.Chance(0.6) {
		down = r.Range(5*sim.Second, 7*sim.Second) // past a trim: a full sync
	}
	out := []sim.Fault{{At: t, Kind: sim.FaultCrash, Node: m, For: down}}
	if r.Chance(0.25) {
		// The store breaks past the first trims: the repair copies it whole.
		t = r.Range(6*sim.Second, 9*sim.Second)
		out = breakStoreWith(storeBreaks[r.Intn(sureBreaks)], r, t, m)
		down = out[0].For
	}
	// A full sync here is about ten chunks of eight keys, a recent one
	// a few: any of them may be the last.
	at := &sim.Trigger{Point: sim.Point(node.PointSyncChunkApplied), Node: m, Nth: int(r.Range(1, 12))}
	off := r.Range(300*sim.Millisecond, 900*sim.Millisecond)
	mute := true
	switch r.Intn(8) {
	case 0:
		out = append(out, sim.Fault{On: at, Kind: sim.FaultCrash, Node: m, For: off})
	case 1:
		out = append(out, sim.Fault{On: at, Kind: sim.FaultPowerLoss, Node: m, For: off,
			Power: []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)]})
	case 2:
		out = append(out, sim.Fault{On: at, Kind: sim.FaultCrash, Ref: &sim.NodeRef{Role: harness.RoleSyncProvider, Of: m}, For: off})
	case 3:
		out = append(out, sim.Fault{On: at, Kind: sim.FaultPowerLoss, Ref: &sim.NodeRef{Role: harness.RoleSyncProvider, Of: m},
			Power: faultfs.Honest, For: off})
	case 4: // cut off past the sync timeout
		out = append(out, sim.Fault{On: at, Kind: sim.FaultPartition, Node: m, Group: []int{m}, For: r.Range(2500*sim.Millisecond, 4*sim.Second)})
	case 5: // the disk fills up: the next write fails, the monitor stops and comes back
		out = append(out, sim.Fault{On: at, Kind: sim.FaultDiskENOSPC, Node: m, Prob: 1, For: r.Range(20*sim.Millisecond, 200*sim.Millisecond)})
	case 6: // the next chunk request is lost: the requester times out
		for p := range n {
			if p != m {
				out = append(out, sim.Fault{On: at, Kind: sim.FaultBlock, Node: m, Peer: p, For: r.Range(5*sim.Millisecond, 30*sim.Millisecond)})
			}
		}
	default:
		out, mute = append(out, laggardProvider(r, n, m, t+down, at)...), false
	}
	leader := &sim.Trigger{Point: at.Point, Node: m, Nth: at.Nth, Delay: r.Range(50*sim.Millisecond, 400*sim.Millisecond)}
	out = append(out, sim.Fault{On: leader, Kind: sim.FaultCrash, Node: 0, For: r.Range(500*sim.Millisecond, 2*sim.Second)})
	if mute {
		d := r.Range(sim.Second, 3*sim.Second)
		for p := range n {
			if p != m {
				out = append(out, sim.Fault{On: &sim.Trigger{Point: at.Point, Node: m, Nth: at.Nth, Delay: off},
					Kind: sim.FaultBlock, Node: m, Peer: p, For: d})
			}
		}
	}
	out = append(out, resumeCuts(r, n, m)...)
	return append(out, syncMischief(r, n, m, t, down, at, off)...)
}

// laggardProvider takes a monitor down just before the requester's sync
// begins (back at), so that its state is older than what the requester
// copies; at the break it comes back, cut off with the requester alone: the
// only provider in reach is older than the copy and must refuse to resume.
func laggardProvider(r *rng.Stream, n, m int, back int64, at *sim.Trigger) []sim.Fault {
	lag := 1 + (m+r.Intn(n-2))%(n-1) // neither the requester nor rank 0, the leader that dies
	if lag == m {
		lag = 1 + m%(n-1)
	}
	pair := []int{m, lag}
	return []sim.Fault{
		{At: back - r.Range(100*sim.Millisecond, 600*sim.Millisecond), Kind: sim.FaultCrash, Node: lag},
		{On: at, Kind: sim.FaultRestart, Node: lag},
		{On: at, Kind: sim.FaultPartition, Group: pair, Peers: others(n, pair), For: r.Range(3*sim.Second, 5*sim.Second)},
	}
}

// resumeCuts cut power, on a coin toss, at one or two of a resume's steps:
// the requester's own, or a provider's as it takes its fault-recovery
// snapshot.
func resumeCuts(r *rng.Stream, n, m int) []sim.Fault {
	if !r.Chance(0.5) {
		return nil
	}
	points := node.ResumePoints()
	var out []sim.Fault
	for range r.Range(1, 2) {
		p, at := points[r.Intn(len(points))], m
		if p == node.PointProvideResumeSnapshot {
			at = (m + 1 + r.Intn(n-1)) % n
		}
		out = append(out, sim.Fault{On: &sim.Trigger{Point: sim.Point(p), Node: at, Nth: 1},
			Kind: sim.FaultPowerLoss, Node: at, Power: []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)],
			For: r.Range(100*sim.Millisecond, 600*sim.Millisecond)})
	}
	return out
}

// syncMischief adds, each on a coin toss, what makes a sync meet the rest of
// its failure modes: a second monitor, down since before the requester fell
// behind, comes back with it (its replies are below the requester's floor);
// duplicated messages while the sync runs (a chunk requested twice, a chunk
// arriving twice); slow links out of the requester (a provider that trims,
// or restarts, before the next request reaches it), and into it (answers of
// an earlier attempt, or an earlier probe, arriving during the next).
func syncMischief(r *rng.Stream, n, m int, t, down int64, at *sim.Trigger, off int64) []sim.Fault {
	var out []sim.Fault
	if m2 := 1 + (m+r.Intn(n-2))%(n-1); m2 != m && r.Chance(0.5) {
		back := &sim.Trigger{Point: at.Point, Node: m, Nth: at.Nth, Delay: off}
		out = append(out,
			sim.Fault{At: t - r.Range(sim.Second, 2*sim.Second), Kind: sim.FaultCrash, Node: m2},
			sim.Fault{On: back, Kind: sim.FaultRestart, Node: m2})
		if r.Chance(0.5) {
			// It reaches no one but the requester for a while, so it cannot
			// sync itself and keeps answering the requester's probes with
			// an lc below the requester's floor.
			cut := r.Range(sim.Second, 3*sim.Second)
			for p := range n {
				if p != m && p != m2 {
					out = append(out, sim.Fault{On: back, Kind: sim.FaultBlock, Node: m2, Peer: p, For: cut})
				}
			}
		}
	}
	syncing := t + down
	if r.Chance(0.3) {
		out = append(out, diskErrorAt(r, m, node.PointSyncChunkApplied))
	}
	if r.Chance(0.5) {
		out = append(out, sim.Fault{At: syncing, Kind: sim.FaultNetDup, Prob: float64(r.Range(20, 50)) / 100,
			For: r.Range(sim.Second, 3*sim.Second)})
	}
	if r.Chance(0.5) {
		lag, dur := r.Range(100*sim.Millisecond, sim.Second), r.Range(sim.Second, 3*sim.Second)
		for p := range n {
			if p != m {
				out = append(out, sim.Fault{At: syncing, Kind: sim.FaultSlow, Node: m, Peer: p, Lag: lag, For: dur})
			}
		}
	}
	if r.Chance(0.25) {
		// Slow links into the requester, past its sync timeout: an
		// attempt's cookie can arrive during the next attempt, which must
		// tell it from its own, and probe replies arrive long after their
		// probe.
		lag, dur := r.Range(2200*sim.Millisecond, 3500*sim.Millisecond), r.Range(3*sim.Second, 5*sim.Second)
		for p := range n {
			if p != m {
				out = append(out, sim.Fault{At: syncing, Kind: sim.FaultSlow, Node: p, Peer: m, Lag: lag, For: dur})
			}
		}
	}
	return out
}

func trimmedFaults(r *rng.Stream, n int) []sim.Fault {
	var out []sim.Fault
	for t := r.Range(2*sim.Second, 3*sim.Second); t < harness.FaultPhase-8*sim.Second; t += r.Range(7*sim.Second, 9*sim.Second) {
		f := sim.Fault{At: t, Kind: sim.FaultCrash, Node: r.Intn(n), For: r.Range(4*sim.Second, 6*sim.Second)}
		if r.Chance(0.5) {
			f.Kind, f.Power = sim.FaultPowerLoss, faultfs.Honest
		}
		out = append(out, f)
	}
	return out
}

// swarmFaults draws which fault kinds are on for this seed, and how often,
// then mixes them (swarm testing). Monitors go down within one shared
// budget, so a majority stays up.
func swarmFaults(r *rng.Stream, n int) []sim.Fault {
	crash, power, long, net, disk := r.Chance(0.5), r.Chance(0.5), r.Chance(0.3), r.Chance(0.6), r.Chance(0.3)
	rot := r.Chance(0.25)
	rotted := make([]bool, n)
	pages := r.Chance(0.3)
	gap := r.Range(300*sim.Millisecond, 3*sim.Second)
	var out []sim.Fault
	d := downBudget{until: make([]int64, n)}
	for t := r.Range(2*sim.Second, 4*sim.Second); t < harness.FaultPhase; t += r.Range(gap/2, gap*3/2) {
		switch r.Intn(4) {
		case 0, 1:
			if !crash && !power {
				continue
			}
			dur := r.Range(100*sim.Millisecond, 3*sim.Second)
			if long && r.Chance(0.3) {
				dur = r.Range(4*sim.Second, 8*sim.Second)
			}
			m, ok := d.pick(r, t, dur)
			if !ok {
				continue
			}
			f := sim.Fault{At: t, Node: m, For: dur, Kind: sim.FaultCrash}
			if power && (!crash || r.Chance(0.5)) {
				f.Kind, f.Power = sim.FaultPowerLoss, []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)]
			}
			out = append(out, f)
		case 2:
			if rot && (!disk || r.Chance(0.5)) {
				out = append(out, rotAtRest(r, &d, rotted, t)...)
			} else if pages && (!disk || r.Chance(0.5)) {
				out = append(out, swarmPageBreak(r, &d, t)...)
			} else if disk && r.Chance(0.3) {
				out = append(out, failedSyncCut(r, &d, t)...)
			} else if disk {
				out = append(out, diskFault(r, n, t))
			}
		default:
			if net {
				out = append(out, netFault(r, n, t))
			}
		}
	}
	return out
}

// swarmPageBreak damages pages of one monitor's checkpoint while it is
// down, within the budget.
func swarmPageBreak(r *rng.Stream, d *downBudget, t int64) []sim.Fault {
	if t < firstCheckpoint {
		return nil
	}
	down := downFor(r, r.Chance(0.3))
	m, ok := d.pick(r, t, down+sim.Second)
	if !ok {
		return nil
	}
	return breakPages(r, t, down, m, somePages(r, t))
}

// rotAtRest flips a bit in, or zeroes a sector of, a running monitor's
// checkpoint: data at rest, written a while ago and read only at the next
// open, which a crash soon after forces. The store's checksums must catch
// it there. Damage to a level-1 checkpoint is recovered from the level-2
// one and the log; damage it cannot recover from breaks the store, and a
// repair rebuilds it (the budget leaves it time to). Either way no rotten
// value may be served or copied to a peer: the state hash and linearizability
// checkers would see it.
//
// Only a minority of the monitors ever rot in one run: a repaired monitor
// lost its promises with its store and stays fenced until a quorum forms
// without it, so a majority of repaired monitors is repair-all's case
// (unavailable, by design), not swarm's.
func rotAtRest(r *rng.Stream, d *downBudget, rotted []bool, t int64) []sim.Fault {
	gap, down := r.Range(100*sim.Millisecond, 2*sim.Second), r.Range(100*sim.Millisecond, 800*sim.Millisecond)
	m, ok := d.pick(r, t, gap+down+6*sim.Second)
	if !ok || (!rotted[m] && popcountBools(rotted) >= (len(rotted)-1)/2) {
		return nil
	}
	rotted[m] = true
	kind := []faultfs.CorruptKind{faultfs.BitFlip, faultfs.ZeroSector}[r.Intn(2)]
	return []sim.Fault{
		{At: t, Kind: sim.FaultCorrupt, Node: m, Corruption: kind, Target: sim.Target(node.TargetCheckpoint)},
		{At: t + gap, Kind: sim.FaultCrash, Node: m, For: down},
	}
}

func popcountBools(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// diskFault draws a window of disk errors on one monitor: EIO on reads,
// writes, syncs, namespace changes or lookups (open, list, stat), or ENOSPC. A monitor stops on a store error, as ceph-mon
// does, and its host restarts it; an error on open is not corruption, so it
// must not start a repair.
// eioClasses are the operations an EIO window may fail.
var eioClasses = []faultfs.IOClass{faultfs.OnRead, faultfs.OnWrite, faultfs.OnSync, faultfs.OnMeta, faultfs.OnLookup}

func diskFault(r *rng.Stream, n int, t int64) sim.Fault {
	f := sim.Fault{At: t, Node: r.Intn(n), Prob: float64(r.Range(5, 50)) / 100, For: r.Range(50*sim.Millisecond, sim.Second)}
	if r.Chance(0.2) {
		f.Kind = sim.FaultDiskENOSPC
	} else {
		f.Kind, f.IO = sim.FaultDiskEIO, eioClasses[r.Intn(len(eioClasses))]
	}
	return f
}
