package report

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/sim"
)

const ms = int64(1_000_000)

// storyTrace is a small hand-written run of two monitors: rank 0 leads,
// crashes, finds its store broken and repairs it with a recent sync; rank 1
// is a peon that falls behind, full-syncs, and loses power. Records of the
// two nodes are interleaved out of time order, as handler clocks make them.
const storyTrace = `
{"t":0,"node":0,"kind":"start","incarnation":0}
{"t":10000000,"node":0,"kind":"ev/state","phase":"probing"}
{"t":1000000,"node":1,"kind":"start","incarnation":0}
{"t":11000000,"node":1,"kind":"ev/state","phase":"probing"}
{"t":20000000,"node":0,"kind":"ev/state","phase":"electing"}
{"t":21000000,"node":1,"kind":"ev/state","phase":"electing"}
{"t":30000000,"node":0,"kind":"ev/quorum","detail":"","full":0}
{"t":30000000,"node":0,"kind":"ev/state","phase":"leader"}
{"t":31000000,"node":1,"kind":"ev/state","phase":"peon"}
{"t":35000000,"node":0,"kind":"ev/apply","v":1}
{"t":36000000,"node":1,"kind":"ev/apply","v":1}
{"t":40000000,"node":1,"kind":"ev/bootstrap","detail":"leader trimmed past my last committed version","full":0}
{"t":40000000,"node":1,"kind":"ev/state","phase":"probing"}
{"t":42000000,"node":1,"kind":"ev/state","phase":"syncing"}
{"t":42000000,"node":1,"kind":"ev/sync-start","peer":0,"full":1}
{"t":48000000,"node":1,"kind":"ev/sync-finish","peer":0,"full":1}
{"t":48000000,"node":1,"kind":"ev/state","phase":"probing"}
{"t":50000000,"node":0,"kind":"fault/crash","fault":1,"for":10000000}
{"t":50000000,"node":0,"kind":"disk/crash","detail":"process crash"}
{"t":55000000,"node":0,"kind":"fault/partition","fault":0,"for":5000000}
{"t":60000000,"node":0,"kind":"start","incarnation":1}
{"t":61000000,"node":0,"kind":"ev/store-failed","detail":"kvstore: corrupt"}
{"t":62000000,"node":0,"kind":"ev/repair-start","detail":"fresh"}
{"t":62000000,"node":0,"kind":"ev/state","phase":"repairing"}
{"t":65000000,"node":0,"kind":"ev/state","phase":"syncing"}
{"t":65000000,"node":0,"kind":"ev/sync-start","peer":1,"full":0}
{"t":70000000,"node":0,"kind":"ev/sync-finish","peer":1,"full":0}
{"t":72000000,"node":0,"kind":"ev/repair-switched"}
{"t":72000000,"node":0,"kind":"ev/state","phase":"probing"}
{"t":80000000,"node":1,"kind":"fault/power-loss","fault":2,"mode":"torn"}
{"t":90000000,"node":4,"kind":"start","incarnation":0}
`

func TestPhasesFollowStatesFaultsSyncsAndRepairs(t *testing.T) {
	plan := sim.Plan{Faults: []sim.Fault{{Kind: sim.FaultPartition, Group: []int{1}}}}
	tl, err := buildTimeline([]byte(storyTrace), 2, 0, 100*ms, plan)
	require.NoError(t, err)
	require.Equal(t, 100*ms, tl.End)
	require.Len(t, tl.Lanes, 2, "one lane per monitor; node 4 is a client")

	require.Equal(t, []segment{
		{0, 10 * ms, phaseBooting, ""},
		{10 * ms, 20 * ms, phaseProbing, ""},
		{20 * ms, 30 * ms, phaseElecting, ""},
		{30 * ms, 50 * ms, phaseLeader, ""},
		{50 * ms, 60 * ms, phaseDown, "fault/crash"},
		{60 * ms, 62 * ms, phaseBooting, ""},
		{62 * ms, 65 * ms, phaseRepairing, ""},
		{65 * ms, 72 * ms, phaseSyncRecent, ""},
		{72 * ms, 100 * ms, phaseProbing, ""},
	}, tl.Lanes[0].Segments)
	require.Equal(t, []span{{Start: 62 * ms, End: 72 * ms}}, tl.Lanes[0].Repairs)

	require.Equal(t, []segment{
		{1 * ms, 11 * ms, phaseBooting, ""},
		{11 * ms, 21 * ms, phaseProbing, ""},
		{21 * ms, 31 * ms, phaseElecting, ""},
		{31 * ms, 40 * ms, phasePeon, ""},
		{40 * ms, 42 * ms, phaseProbing, "bootstrap: leader trimmed past my last committed version"},
		{42 * ms, 48 * ms, phaseSyncFull, ""},
		{48 * ms, 80 * ms, phaseProbing, ""},
		{80 * ms, 100 * ms, phaseDown, "fault/power-loss"},
	}, tl.Lanes[1].Segments)

	var faults []string
	for _, f := range tl.Faults {
		faults = append(faults, f.Kind)
		switch f.Kind {
		case "fault/partition":
			require.Equal(t, -1, f.Node, "a partition spans every lane")
			require.Contains(t, f.Title, "group=[1]", "the plan names the partitioned group")
			require.NotContains(t, f.Title, "node 0")
		case "fault/crash", "disk/crash":
			require.Equal(t, 0, f.Node)
		case "fault/power-loss":
			require.Equal(t, 1, f.Node)
			require.Contains(t, f.Title, "mode=torn")
		}
	}
	require.Equal(t, []string{"fault/crash", "disk/crash", "fault/partition", "fault/power-loss"}, faults)

	var events []string
	for _, e := range tl.Lanes[0].Events {
		events = append(events, e.Kind)
	}
	require.Equal(t, []string{"ev/store-failed", "ev/repair-start", "ev/sync-start", "ev/sync-finish", "ev/repair-switched"}, events,
		"frequent events (quorum, apply) are not marked one by one")
	require.Equal(t, 1, tl.MaxApplied)
}

func TestCrashInterruptsARepair(t *testing.T) {
	trace := `{"t":0,"node":0,"kind":"start"}
{"t":1000000,"node":0,"kind":"ev/repair-start"}
{"t":1000000,"node":0,"kind":"ev/state","phase":"repairing"}
{"t":2000000,"node":0,"kind":"fault/power-loss","mode":"honest"}
{"t":3000000,"node":0,"kind":"start"}
{"t":4000000,"node":0,"kind":"ev/repair-start","detail":"resume"}
{"t":4000000,"node":0,"kind":"ev/state","phase":"repairing"}
`
	tl, err := buildTimeline([]byte(trace), 1, 0, 0, sim.Plan{})
	require.NoError(t, err)
	require.Equal(t, 4*ms, tl.End, "without a sim time the last record ends the run")
	require.Equal(t, []span{{Start: 1 * ms, End: 2 * ms, Interrupted: true}, {Start: 4 * ms, End: 4 * ms}}, tl.Lanes[0].Repairs)
}

// A page repair shows on the monitor's lane: its phase, a stripe of its own
// from the damaged page to the check-in, and its events as markers.
func TestPageRepairShowsOnTheLane(t *testing.T) {
	trace := `{"t":0,"node":0,"kind":"start"}
{"t":1000000,"node":0,"kind":"ev/store-open","v":40,"mixed":1}
{"t":1000000,"node":0,"kind":"ev/page-damaged","v":40,"page":2}
{"t":1000000,"node":0,"kind":"ev/state","phase":"page-repair"}
{"t":2000000,"node":0,"kind":"ev/page-source","v":48,"peer":1,"page":2}
{"t":3000000,"node":0,"kind":"ev/page-installed","v":48,"peer":1,"page":2,"bytes":310}
{"t":3000000,"node":0,"kind":"ev/state","phase":"syncing"}
{"t":3000000,"node":0,"kind":"ev/sync-start","peer":1,"full":0}
{"t":5000000,"node":0,"kind":"ev/page-repair-done","v":48}
{"t":6000000,"node":0,"kind":"ev/sync-finish","peer":1,"full":0}
{"t":6000000,"node":0,"kind":"ev/state","phase":"probing"}
`
	tl, err := buildTimeline([]byte(trace), 1, 0, 10*ms, sim.Plan{})
	require.NoError(t, err)
	require.Equal(t, []segment{
		{0, 1 * ms, phaseBooting, ""},
		{1 * ms, 3 * ms, phasePageRepair, ""},
		{3 * ms, 6 * ms, phaseSyncRecent, ""},
		{6 * ms, 10 * ms, phaseProbing, ""},
	}, tl.Lanes[0].Segments)
	require.Equal(t, []span{{Start: 1 * ms, End: 5 * ms, Pages: true}}, tl.Lanes[0].Repairs)
	var events []string
	for _, e := range tl.Lanes[0].Events {
		events = append(events, e.Kind)
	}
	require.Equal(t, []string{"ev/store-open", "ev/page-damaged", "ev/page-source", "ev/page-installed", "ev/sync-start",
		"ev/page-repair-done", "ev/sync-finish"}, events)
	require.Contains(t, tl.Lanes[0].Events[3].Title, "bytes=310")
}

func TestARelabelledPhaseMergesWithTheOneBefore(t *testing.T) {
	// A sync that starts and is reported at the same instant as a probe
	// that immediately turns back into the previous phase leaves no sliver.
	trace := `{"t":0,"node":0,"kind":"ev/state","phase":"peon"}
{"t":5000000,"node":0,"kind":"ev/state","phase":"probing"}
{"t":5000000,"node":0,"kind":"ev/state","phase":"peon"}
`
	tl, err := buildTimeline([]byte(trace), 1, 0, 10*ms, sim.Plan{})
	require.NoError(t, err)
	require.Equal(t, []segment{{0, 10 * ms, phasePeon, ""}}, tl.Lanes[0].Segments)
}

func TestMalformedTraceLineIsRejected(t *testing.T) {
	_, err := buildTimeline([]byte("{\"t\":0,\"node\":0,\"kind\":\"start\"}\n{\"t\":1,"), 1, 0, 0, sim.Plan{})
	require.ErrorIs(t, err, sim.ErrBadTrace)
	require.ErrorContains(t, err, "line 2")
}

func TestACollectorLaneFollowsItsSessionsCatchUpsAndRegistration(t *testing.T) {
	// Node 1 is a collector beside monitor 0: it boots, hunts, catches up,
	// waits for its boot to be recorded, is online, is marked down while cut
	// off, and crashes.
	trace := `{"t":0,"node":1,"kind":"start","incarnation":0}
{"t":1000000,"node":1,"kind":"ev/col-open","confirmed":0}
{"t":2000000,"node":1,"kind":"ev/col-session","peer":0}
{"t":2000000,"node":1,"kind":"ev/col-query","peer":0}
{"t":3000000,"node":1,"kind":"ev/col-stored","seq":1}
{"t":3000000,"node":1,"kind":"ev/col-full-state","seq":4}
{"t":4000000,"node":1,"kind":"ev/col-caught-up","seq":5}
{"t":5000000,"node":1,"kind":"ev/col-registered","seq":6}
{"t":6000000,"node":1,"kind":"ev/col-session","peer":-1}
{"t":7000000,"node":1,"kind":"ev/col-session","peer":0}
{"t":7000000,"node":1,"kind":"ev/col-query","peer":0}
{"t":7500000,"node":1,"kind":"ev/col-marked-down","seq":9}
{"t":8000000,"node":1,"kind":"ev/col-caught-up","seq":9}
{"t":9000000,"node":1,"kind":"fault/crash","fault":0}
`
	tl, err := buildTimeline([]byte(trace), 1, 1, 10*ms, sim.Plan{})
	require.NoError(t, err)
	require.Len(t, tl.Lanes, 2)
	require.True(t, tl.Lanes[1].Collector)
	require.Equal(t, "col.1", tl.Lanes[1].Label())
	require.Equal(t, []segment{
		{0, 1 * ms, phaseBooting, ""},
		{1 * ms, 2 * ms, phaseHunting, ""},
		{2 * ms, 4 * ms, phaseCatchingUp, ""},
		{4 * ms, 5 * ms, phaseJoining, ""},
		{5 * ms, 6 * ms, phaseOnline, ""},
		{6 * ms, 7 * ms, phaseHunting, ""},
		{7 * ms, 8 * ms, phaseCatchingUp, ""},
		{8 * ms, 9 * ms, phaseJoining, ""},
		{9 * ms, 10 * ms, phaseDown, "fault/crash"},
	}, tl.Lanes[1].Segments)
	var events []string
	for _, e := range tl.Lanes[1].Events {
		events = append(events, e.Kind)
	}
	require.Equal(t, []string{"ev/col-open", "ev/col-full-state", "ev/col-marked-down"}, events)
	require.Equal(t, 1, tl.MaxApplied, "events stored fill the strip")
}
