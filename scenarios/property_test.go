package scenarios

import (
	"fmt"
	"slices"
	"testing"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// drawer is where a drawn schedule's choices come from: rapid, which shrinks
// a failing schedule, or a fuzz input's bytes (fuzzBytes), which never run
// out. Each draw returns a value in [lo, hi]; the label names it in rapid's
// report of a failure. Both share drawPlan, so both stay within one fault
// model.
type drawer interface {
	Int(lo, hi int, label string) int
	Int64(lo, hi int64, label string) int64
	Float64(lo, hi float64, label string) float64
}

// rapidDraws draws through rapid's generators.
type rapidDraws struct{ t *rapid.T }

func (r rapidDraws) Int(lo, hi int, label string) int {
	return rapid.IntRange(lo, hi).Draw(r.t, label)
}

func (r rapidDraws) Int64(lo, hi int64, label string) int64 {
	return rapid.Int64Range(lo, hi).Draw(r.t, label)
}

func (r rapidDraws) Float64(lo, hi float64, label string) float64 {
	return rapid.Float64Range(lo, hi).Draw(r.t, label)
}

// drawPlan draws a fault schedule for a cluster of n monitors, within the
// fault model: process faults of any monitor at any time, network faults of
// every kind, and at most two store breaks (f = 2), all in the fault phase,
// followed by the heal phase. rapid shrinks a failing schedule to a minimal
// one: fewer faults, earlier, shorter, lower ranks, the first choices.
func drawPlan(d drawer, n int) sim.Plan {
	var faults []sim.Fault
	at := func(label string) int64 { return d.Int64(sim.Second, harness.FaultPhase-sim.Second, label) }
	dur := func(label string) int64 { return d.Int64(100*sim.Millisecond, 4*sim.Second, label) }
	node := func(label string) int { return d.Int(0, n-1, label) }
	for i := range d.Int(0, 8, "faults") {
		l := func(s string) string { return fmt.Sprintf("%s%d", s, i) }
		switch d.Int(0, 7, l("kind")) {
		case 0:
			faults = append(faults, sim.Fault{At: at(l("at")), Kind: sim.FaultCrash, Node: node(l("node")), For: dur(l("for"))})
		case 1:
			mode := []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[d.Int(0, 1, l("mode"))]
			faults = append(faults, sim.Fault{At: at(l("at")), Kind: sim.FaultPowerLoss, Node: node(l("node")), Power: mode, For: dur(l("for"))})
		case 2:
			faults = append(faults, sim.Fault{At: at(l("at")), Kind: sim.FaultPause, Node: node(l("node")), For: dur(l("for"))})
		case 3:
			g := []int{node(l("node"))}
			faults = append(faults, sim.Fault{At: at(l("at")), Kind: sim.FaultPartition, Group: g, Peers: others(n, g), For: dur(l("for"))})
		case 4:
			a, b := node(l("from")), node(l("to"))
			if a != b {
				faults = append(faults, sim.Fault{At: at(l("at")), Kind: sim.FaultClog, Node: a, Peer: b, For: dur(l("for"))})
			}
		case 5:
			kind := []sim.FaultKind{sim.FaultNetLoss, sim.FaultNetDup, sim.FaultNetCorrupt}[d.Int(0, 2, l("net"))]
			faults = append(faults, sim.Fault{At: at(l("at")), Kind: kind, Prob: d.Float64(0.01, 0.2, l("p")), For: dur(l("for"))})
		default:
			// breaks are rationed below
		}
	}
	// At most two victims, distinct by construction.
	free := make([]int, n) // the monitors no break has chosen yet
	for m := range free {
		free[m] = m
	}
	var victims []int
	for i := range d.Int(0, 2, "breaks") {
		k := d.Int(0, len(free)-1, fmt.Sprintf("victim%d", i))
		victims = append(victims, free[k])
		free = slices.Delete(free, k, k+1)
	}
	for i, m := range victims {
		b := storeBreaks[d.Int(0, len(storeBreaks)-1, fmt.Sprintf("break%d", i))]
		faults = append(faults, breakStoreWith(b, nil, at(fmt.Sprintf("breakat%d", i)), m)...)
	}
	return sim.Plan{Faults: faults}
}

// drawWorkload draws how many clients run and how much each does.
func drawWorkload(d drawer) *harness.Workload {
	w := &harness.Workload{Clients: d.Int(1, 4, "clients")}
	for i := range w.Clients {
		w.MaxOps = append(w.MaxOps, d.Int(1, 400, fmt.Sprintf("ops%d", i)))
	}
	return w
}

// runDrawn draws a schedule and a workload and runs them on five monitors.
func runDrawn(d drawer) *Result {
	plan := drawPlan(d, 5)
	w := drawWorkload(d)
	fuzzStat('r') // every choice is drawn: the cluster runs
	sc, _ := Lookup("swarm")
	return sc.Run(Options{Seed: 1, Plan: &plan, Workload: w})
}

// mustSurvive is the property: whatever schedule and workload were drawn,
// within the fault model, every checker passes and decides.
func mustSurvive(t interface{ Fatalf(string, ...any) }, res *Result) {
	if res.Failed() {
		t.Fatalf("%s", res.Verdict())
	}
	if res.Unknown != "" {
		t.Fatalf("undecided: %s", res.Unknown)
	}
}

func clusterSurvives(t *rapid.T) { mustSurvive(t, runDrawn(rapidDraws{t})) }

// TestPropertyClusterSurvivesDrawnSchedules draws fault schedules and
// workloads with rapid (more with -rapid.checks N), which shrinks a failure
// to a minimal schedule.
func TestPropertyClusterSurvivesDrawnSchedules(t *testing.T) {
	rapid.Check(t, clusterSurvives)
}

// fuzzClusterSeeds are FuzzCluster's seed corpus, which plain go test runs:
// an empty input and a one-byte one (drawn wholly, or all but the first
// draw, from the stream fuzzBytes continues with), a KiB of zeros (no
// fault, one client with one op) and a KiB of noise whose first byte asks
// for eight faults (a busy schedule).
func fuzzClusterSeeds() [][]byte {
	noise := make([]byte, 1024)
	r := rng.New(1, "fuzz-seed")
	for i := range noise {
		noise[i] = byte(r.Uint64())
	}
	noise[0] = 8
	return [][]byte{{}, {7}, make([]byte, 1024), noise}
}

// FuzzCluster is the same property for go's fuzzer, over fuzzBytes: every
// input, however short, runs a whole cluster (a few tens of milliseconds on
// one core). Run it with
//
//	go test -run '^$' -fuzz=FuzzCluster -fuzzminimizetime=10x -parallel 1 ./scenarios
//
// Minimising costs a whole run per try, and go's default budget (up to 60 s
// per new input) stalls the fuzzer for seconds at a time; it buys little
// here, since a shorter input is another schedule, not a smaller one. Ten
// tries is well under a second. go instruments every package of the test
// binary for coverage, node/ and node/kvstore/ included, so monitor code
// newly reached counts as progress (so do the harness's and pebble's).
func FuzzCluster(f *testing.F) {
	for _, s := range fuzzClusterSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzStat('c')
		mustSurvive(t, runDrawn(newFuzzBytes(data)))
	})
}

// Every seed of FuzzCluster runs a whole cluster, through the heal phase,
// the same way twice; and the seeds are different runs.
func TestFuzzClusterSeedsRunWholeClusters(t *testing.T) {
	hashes := map[uint64]int{}
	for i, s := range fuzzClusterSeeds() {
		a, b := runDrawn(newFuzzBytes(s)), runDrawn(newFuzzBytes(s))
		require.Equal(t, harness.ClusterEnd, a.SimTime, "seed %d (%d bytes) stopped early", i, len(s))
		require.Greater(t, a.Events, int64(1000), "seed %d", i)
		require.Positive(t, a.Counters["client_ops"], "seed %d", i)
		require.Equal(t, a.TraceHash, b.TraceHash, "seed %d: same bytes, different run", i)
		require.Equal(t, a.Verdict(), b.Verdict())
		require.NotContains(t, hashes, a.TraceHash, "seeds %d and %d ran the same", hashes[a.TraceHash], i)
		hashes[a.TraceHash] = i
	}
}
