package scenarios

import (
	"fmt"
	"testing"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/sim"
	"pgregory.net/rapid"
)

// drawPlan draws a fault schedule for a five-monitor cluster, within the
// fault model: process faults of any monitor at any time, network faults of
// every kind, and at most two store breaks (f = 2), all in the fault phase,
// followed by the heal phase. rapid shrinks a failing schedule to a minimal
// one: fewer faults, earlier, shorter.
func drawPlan(t *rapid.T, n int) sim.Plan {
	var faults []sim.Fault
	at := func(label string) int64 {
		return rapid.Int64Range(sim.Second, harness.FaultPhase-sim.Second).Draw(t, label)
	}
	dur := func(label string) int64 {
		return rapid.Int64Range(100*sim.Millisecond, 4*sim.Second).Draw(t, label)
	}
	node := func(label string) int { return rapid.IntRange(0, n-1).Draw(t, label) }
	for i := range rapid.IntRange(0, 8).Draw(t, "faults") {
		l := func(s string) string { return fmt.Sprintf("%s%d", s, i) }
		switch rapid.IntRange(0, 7).Draw(t, l("kind")) {
		case 0:
			faults = append(faults, sim.Fault{At: at(l("at")), Kind: sim.FaultCrash, Node: node(l("node")), For: dur(l("for"))})
		case 1:
			mode := rapid.SampledFrom([]faultfs.PowerMode{faultfs.Honest, faultfs.Torn}).Draw(t, l("mode"))
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
			kind := rapid.SampledFrom([]sim.FaultKind{sim.FaultNetLoss, sim.FaultNetDup, sim.FaultNetCorrupt}).Draw(t, l("net"))
			faults = append(faults, sim.Fault{At: at(l("at")), Kind: kind, Prob: rapid.Float64Range(0.01, 0.2).Draw(t, l("p")), For: dur(l("for"))})
		default:
			// breaks are rationed below
		}
	}
	breaks := rapid.IntRange(0, 2).Draw(t, "breaks")
	victims := rapid.SliceOfNDistinct(rapid.IntRange(0, n-1), breaks, breaks, rapid.ID[int]).Draw(t, "victims")
	for i, m := range victims {
		b := storeBreaks[rapid.IntRange(0, len(storeBreaks)-1).Draw(t, fmt.Sprintf("break%d", i))]
		faults = append(faults, breakStoreWith(b, nil, at(fmt.Sprintf("breakat%d", i)), m)...)
	}
	return sim.Plan{Faults: faults}
}

// drawWorkload draws how many clients run and how much each does.
func drawWorkload(t *rapid.T) *harness.Workload {
	w := &harness.Workload{Clients: rapid.IntRange(1, 4).Draw(t, "clients")}
	for i := range w.Clients {
		w.MaxOps = append(w.MaxOps, rapid.IntRange(1, 400).Draw(t, fmt.Sprintf("ops%d", i)))
	}
	return w
}

// clusterSurvives is the property: whatever schedule and workload rapid
// draws, within the fault model, every checker passes.
func clusterSurvives(t *rapid.T) {
	sc, _ := Lookup("swarm")
	plan := drawPlan(t, 5)
	w := drawWorkload(t)
	fuzzStat('r') // every draw is made: the cluster runs
	res := sc.Run(Options{Seed: 1, Plan: &plan, Workload: w})
	if res.Failed() {
		t.Fatalf("%s", res.Verdict())
	}
	if res.Unknown != "" {
		t.Fatalf("undecided: %s", res.Unknown)
	}
}

// TestPropertyClusterSurvivesDrawnSchedules draws fault schedules and
// workloads with rapid (more with -rapid.checks N).
func TestPropertyClusterSurvivesDrawnSchedules(t *testing.T) {
	rapid.Check(t, clusterSurvives)
}

// FuzzCluster is the same property for go's fuzzer:
//
//	go test -fuzz=FuzzCluster ./scenarios
func FuzzCluster(f *testing.F) {
	// rapid reads its draws eight bytes at a time and skips an input that
	// runs out, so the seeds plain go test runs must be long: all zeros (no
	// faults, one client) and a few KiB of noise (a busy schedule).
	f.Add(make([]byte, 1024))
	noise := make([]byte, 4096)
	r := rng.New(1, "fuzz-seed")
	for i := range noise {
		noise[i] = byte(r.Uint64())
	}
	f.Add(noise)
	prop := rapid.MakeFuzz(clusterSurvives)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzStat('c')
		prop(t, data)
	})
}
