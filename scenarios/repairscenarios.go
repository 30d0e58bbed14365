package scenarios

import (
	"fmt"

	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/sim"
)

// The repair scenarios break monitors' stores and attack the repair: power
// cuts at its steps, its sync provider dying, two repairs at once, and every
// store broken at once. Plans break stores late enough that trims happen,
// and early enough that some repairs find no trim yet, so both full and
// recent repairs occur.
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

// breakStore makes monitor m's store fail to open: a lying-disk power loss,
// or bit rot in its log, a checkpoint or the manifest while it is down.
func breakStore(r *rng.Stream, t int64, m int) []sim.Fault {
	down := r.Range(100*sim.Millisecond, 800*sim.Millisecond)
	dir := fmt.Sprintf("mon-%d/store/", m)
	switch r.Intn(4) {
	case 0:
		return []sim.Fault{{At: t, Kind: sim.FaultPowerLoss, Node: m, Mode: "lying", For: down}}
	default:
		target := []string{"LOG-", "CKPT-", "MANIFEST"}[r.Intn(3)]
		mode := []string{"bit-flip", "zero-sector", "misdirect"}[r.Intn(3)]
		if mode == "misdirect" {
			target = "LOG-" // a misdirected sector needs somewhere else to land: the log has room
		}
		return []sim.Fault{
			{At: t, Kind: sim.FaultCrash, Node: m, For: down},
			{At: t + down/2, Kind: sim.FaultCorrupt, Node: m, Mode: mode, Target: dir + target},
		}
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
	f, _ := oneBreak(r, n, 5*sim.Second, 14*sim.Second)
	return f
}

// repairStaleFaults always play the losing interleaving.
func repairStaleFaults(r *rng.Stream, n int) []sim.Fault {
	f, _ := staleBreak(r, n, 5*sim.Second, 12*sim.Second)
	return f
}

// repairPoints are the steps of a repair a power cut may interrupt.
var repairPoints = []string{"repair/start", "repair/mark-started", "repair/sources-chosen", "repair/sync-chunk",
	"repair/mark-completed", "repair/before-remove", "repair/after-remove", "repair/after-rename", "repair/after-mark-delete"}

func repairPowerlossFaults(r *rng.Stream, n int) []sim.Fault {
	out, m := oneBreak(r, n, 5*sim.Second, 12*sim.Second)
	for range r.Range(2, 4) {
		f := sim.Fault{
			On:   &sim.Trigger{Point: repairPoints[r.Intn(len(repairPoints))], Node: m, Nth: int(r.Range(1, 2))},
			Kind: sim.FaultPowerLoss, Node: m, Mode: []string{"honest", "torn"}[r.Intn(2)],
			For: r.Range(100*sim.Millisecond, 600*sim.Millisecond),
		}
		if r.Chance(0.3) {
			f.On.AfterOps = int(r.Range(1, 6)) // a few disk operations past the step
		}
		out = append(out, f)
	}
	return out
}

func repairProviderFaults(r *rng.Stream, n int) []sim.Fault {
	out, m := oneBreak(r, n, 5*sim.Second, 12*sim.Second)
	for range r.Range(1, 2) {
		f := sim.Fault{
			On:      &sim.Trigger{Point: "repair/sync-chunk", Node: m, Nth: int(r.Range(1, 2))},
			NodeRef: fmt.Sprintf("sync-provider-of:%d", m), Kind: sim.FaultCrash,
			For: r.Range(300*sim.Millisecond, 2*sim.Second),
		}
		if r.Chance(0.5) {
			f.Kind, f.Mode = sim.FaultPowerLoss, "honest"
		}
		out = append(out, f)
	}
	return out
}

func repairDoubleFaults(r *rng.Stream, n int) []sim.Fault {
	order := perm(r, n)
	t := r.Range(3*sim.Second, 10*sim.Second)
	out := breakStore(r, t, order[0])
	return append(out, breakStore(r, t+r.Range(500*sim.Millisecond, 6*sim.Second), order[1])...)
}

func repairAllFaults(r *rng.Stream, n int) []sim.Fault {
	t := r.Range(3*sim.Second, 8*sim.Second)
	var out []sim.Fault
	for m := range n {
		out = append(out, breakStore(r, t+r.Range(0, 100*sim.Millisecond), m)...)
	}
	return out
}
