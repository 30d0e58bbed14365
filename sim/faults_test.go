package sim

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/netsim"
	"github.com/stretchr/testify/require"
)

// chatter makes node 0 write and sync a file and send to node 1 every
// millisecond, so every fault kind has something to act on.
func chatter(t *testing.T, plan Plan) []map[string]any {
	t.Helper()
	k, ps, buf := newWorld(t, Config{Seed: 3, Endpoints: 2, Disks: 2,
		Net:        netsim.LinkOptions{LatencyMin: 100 * Microsecond, LatencyMax: 900 * Microsecond},
		Vocabulary: Vocabulary{Targets: []Target{"f"}}})
	require.NoError(t, k.Load(plan))
	n := 0
	ps[0].onStart = func(p *probe) { k.SetTimer(0, Millisecond, 1) }
	ps[0].onFire = func(p *probe, _ uint64) {
		n++
		d := k.Disk(0)
		if f, err := d.Create(fmt.Sprintf("f%03d", n%8), vfs.WriteCategoryUnspecified); err == nil {
			_, _ = f.Write(make([]byte, 1024))
			_ = f.Sync()
			_ = f.Close()
			if dir, err := d.OpenDir(""); err == nil {
				_ = dir.Sync()
				_ = dir.Close()
			}
		}
		if f, err := d.Open(fmt.Sprintf("f%03d", (n+3)%8)); err == nil {
			_, _ = f.ReadAt(make([]byte, 16), 0)
			_ = f.Close()
		}
		k.Send(0, 1, []byte(fmt.Sprintf("msg-%d", n)))
		k.Send(1, 0, []byte("reverse"))
		k.SetTimer(0, Millisecond, 1)
	}
	k.Start(0, 0)
	k.Start(1, 0)
	require.NoError(t, k.Run(Second))
	return traceKinds(buf)
}

// Every fault kind really happens and shows in the trace: the plan step
// itself, and the effect it had.
func TestEveryFaultKindHappensAndShowsInTheTrace(t *testing.T) {
	ms := Millisecond
	cases := []struct {
		fault  Fault
		effect string
		match  func(map[string]any) bool
	}{
		{Fault{At: 100 * ms, Kind: FaultCrash, Node: 0, For: 50 * ms}, "start", func(r map[string]any) bool { return r["incarnation"] == 1.0 }},
		{Fault{At: 100 * ms, Kind: FaultPowerLoss, Node: 0, Power: faultfs.Torn, For: 50 * ms}, "disk/power-loss", nil},
		{Fault{At: 100 * ms, Kind: FaultPowerLoss, Node: 0, Power: faultfs.Lying}, "disk/power-loss", nil},
		{Fault{At: 100 * ms, Kind: FaultRestart, Node: 1}, "fault/restart", nil},
		{Fault{At: 100 * ms, Kind: FaultPause, Node: 1, For: 300 * ms}, "deliver", func(r map[string]any) bool {
			return r["node"] == 1.0 && r["t"].(float64) == float64(400*ms) // the backlog, all at once on resume
		}},
		{Fault{At: 100 * ms, Kind: FaultPartition, Node: 0, Group: []int{0}, For: 100 * ms}, "net/drop", func(r map[string]any) bool { return r["why"] == "partitioned" }},
		{Fault{At: 100 * ms, Kind: FaultBlock, Node: 0, Peer: 1, For: 100 * ms}, "net/drop", func(r map[string]any) bool { return r["why"] == "partitioned" && r["node"] == 0.0 }},
		{Fault{At: 100 * ms, Kind: FaultClog, Node: 0, Peer: 1, For: 100 * ms}, "deliver", func(r map[string]any) bool { return r["node"] == 1.0 && r["t"].(float64) >= float64(200*ms) }},
		{Fault{At: 100 * ms, Kind: FaultSlow, Node: 0, Peer: 1, Lag: 300 * ms, For: 100 * ms}, "fault/slow", nil}, // effect: TestSlowLinkDelaysAndReorders
		{Fault{At: 100 * ms, Kind: FaultNetLoss, Node: 0, Prob: 0.5, For: 100 * ms}, "net/drop", func(r map[string]any) bool { return r["why"] == "lost" }},
		{Fault{At: 100 * ms, Kind: FaultNetDup, Node: 0, Prob: 0.5, For: 100 * ms}, "net/dup", nil},
		{Fault{At: 100 * ms, Kind: FaultNetCorrupt, Node: 0, Prob: 0.5, For: 100 * ms}, "net/corrupt", nil},
		{Fault{At: 100 * ms, Kind: FaultHeal, Node: 0}, "fault/heal", nil},
		{Fault{At: 100 * ms, Kind: FaultCorrupt, Node: 0, Corruption: faultfs.BitFlip, Target: "f"}, "disk/corrupt/bit-flip", nil},
		{Fault{At: 100 * ms, Kind: FaultCorrupt, Node: 0, Corruption: faultfs.ZeroSector, Target: "f"}, "disk/corrupt/zero-sector", nil},
		{Fault{At: 100 * ms, Kind: FaultCorrupt, Node: 0, Corruption: faultfs.Truncate, Target: "f"}, "disk/corrupt/truncate", nil},
		{Fault{At: 100 * ms, Kind: FaultCorrupt, Node: 0, Corruption: faultfs.Misdirect, Target: "f"}, "disk/corrupt/misdirect", nil},
		{Fault{At: 100 * ms, Kind: FaultDiskEIO, Node: 0, IO: faultfs.OnWrite, Prob: 1, For: 10 * ms}, "disk/eio/write", nil},
		{Fault{At: 100 * ms, Kind: FaultDiskEIO, Node: 0, IO: faultfs.OnRead, Prob: 1, For: 10 * ms}, "disk/eio/read", nil},
		{Fault{At: 100 * ms, Kind: FaultDiskEIO, Node: 0, IO: faultfs.OnSync, Prob: 1, For: 10 * ms}, "disk/eio/sync", nil},
		{Fault{At: 100 * ms, Kind: FaultDiskEIO, Node: 0, IO: faultfs.OnMeta, Prob: 1, For: 10 * ms}, "disk/eio/meta/create", nil},
		{Fault{At: 100 * ms, Kind: FaultDiskEIO, Node: 0, IO: faultfs.OnLookup, Prob: 1, For: 10 * ms}, "disk/eio/lookup/open", nil},
		{Fault{At: 100 * ms, Kind: FaultDiskENOSPC, Node: 0, Prob: 1, For: 10 * ms}, "disk/enospc", nil},
	}
	covered := map[FaultKind]bool{}
	for _, c := range cases {
		name := string(c.fault.Kind) + "/" + c.fault.mode()
		t.Run(name, func(t *testing.T) {
			recs := chatter(t, Plan{Faults: []Fault{c.fault}})
			require.True(t, hasRecord(recs, "fault/"+string(c.fault.Kind), nil), "the plan step is traced")
			require.True(t, hasRecord(recs, c.effect, c.match), "its effect %q is traced", c.effect)
		})
		covered[c.fault.Kind] = true
	}
	for _, k := range faultKinds {
		require.True(t, covered[k], "fault kind %s has no test", k)
	}
}

// A corruption whose target is part of a file (Config.LocateTarget) lands
// inside the extent the locator finds.
func TestAimedCorruptionLandsWhereTheLocatorSays(t *testing.T) {
	k, ps, buf := newWorld(t, Config{Seed: 3, Endpoints: 1, Disks: 1,
		Vocabulary:    Vocabulary{Targets: []Target{"f", "f:middle"}},
		ResolveTarget: func(_ int, t Target) string { return "f" },
		LocateTarget: func(t Target) func([]byte) (int64, int64, bool) {
			if t != "f:middle" {
				return nil
			}
			return func(data []byte) (int64, int64, bool) { return 500, 20, len(data) >= 520 }
		}})
	require.NoError(t, k.Load(Plan{Faults: []Fault{{At: 50 * Millisecond, Kind: FaultCorrupt, Node: 0,
		Corruption: faultfs.BitFlip, Target: "f:middle"}}}))
	ps[0].onStart = func(p *probe) {
		d := k.Disk(0)
		f, err := d.Create("f", vfs.WriteCategoryUnspecified)
		require.NoError(t, err)
		_, err = f.Write(make([]byte, 1024))
		require.NoError(t, err)
		require.NoError(t, f.Sync())
		require.NoError(t, f.Close())
	}
	k.Start(0, 0)
	require.NoError(t, k.Run(Second))
	recs := traceKinds(buf)
	require.True(t, hasRecord(recs, "disk/corrupt/bit-flip", func(r map[string]any) bool {
		off := r["off"].(float64)
		return off >= 500 && off < 520
	}), "the flip lands in the located extent")
}

func TestPlanValidationRejectsNonsense(t *testing.T) {
	v := Vocabulary{Nodes: 2, Points: []Point{"step"}, Targets: []Target{"log"}, Roles: []Role{"provider-of"}}
	bad := []Fault{
		{Kind: "meteor"},
		{Kind: FaultCrash, Node: 9},
		{Kind: FaultBlock, Node: 0, Peer: -1},
		{Kind: FaultNetLoss, Node: 0, Prob: 2},
		{Kind: FaultCrash, Node: 0, At: -1},
		{Kind: FaultCrash, Node: 0, On: &Trigger{Point: "", Nth: 1}},
		{Kind: FaultCrash, Node: 0, On: &Trigger{Point: "stpe", Nth: 1}},
		{Kind: FaultCorrupt, Node: 0, Target: "lgo"},
		{Kind: FaultCrash, Ref: &NodeRef{Role: "provider-of", Of: 5}},
		{Kind: FaultCrash, Ref: &NodeRef{Role: "leader-of", Of: 1}},
	}
	for i, f := range bad {
		p := Plan{Faults: []Fault{f}}
		require.ErrorIs(t, p.Validate(v), ErrBadPlan, "case %d", i)
	}
	ok := Plan{Faults: []Fault{
		{Kind: FaultPowerLoss, Node: 1, Power: faultfs.Torn},
		{Kind: FaultCorrupt, Node: 1, Target: "log", On: &Trigger{Point: "step", Nth: 2}},
		{Kind: FaultCrash, Ref: &NodeRef{Role: "provider-of", Of: 1}},
	}}
	require.NoError(t, ok.Validate(v))
}

// A heal ends every fault still running, and their scheduled ends must not
// bring anything back: overlapping network faults used to restore each
// other's rates after the heal.
func TestHealEndsRunningFaultsForGood(t *testing.T) {
	ms := Millisecond
	recs := chatter(t, Plan{Faults: []Fault{
		{At: 100 * ms, Kind: FaultNetDup, Prob: 0.5, For: 400 * ms},
		{At: 150 * ms, Kind: FaultNetLoss, Prob: 0.5, For: 200 * ms},
		{At: 160 * ms, Kind: FaultPartition, Group: []int{0}, For: 600 * ms},
		{At: 200 * ms, Kind: FaultHeal},
	}})
	after := func(kind string, match func(map[string]any) bool) bool {
		return hasRecord(recs, kind, func(r map[string]any) bool {
			return r["t"].(float64) > float64(200*ms) && (match == nil || match(r))
		})
	}
	require.True(t, hasRecord(recs, "net/dup", nil), "the dup fault ran before the heal")
	require.False(t, after("net/dup", nil), "no duplication after the heal")
	require.False(t, after("net/drop", nil), "no loss or partition after the heal")
}

// A partition ending must not lift a cut another partition still holds:
// overlapping partitions are common in generated plans.
func TestOverlappingPartitionsEachHoldTheirCut(t *testing.T) {
	ms := Millisecond
	recs := chatter(t, Plan{Faults: []Fault{
		{At: 100 * ms, Kind: FaultPartition, Group: []int{0}, For: 300 * ms},
		{At: 200 * ms, Kind: FaultPartition, Group: []int{1}, For: 400 * ms},
	}})
	delivered := func(from, to int, lo, hi int64) bool {
		return hasRecord(recs, "deliver", func(r map[string]any) bool {
			t := r["t"].(float64)
			return r["node"] == float64(to) && r["from"] == float64(from) && t > float64(lo) && t < float64(hi)
		})
	}
	require.True(t, delivered(0, 1, 0, 100*ms))
	require.False(t, delivered(0, 1, 105*ms, 600*ms), "the second partition still cuts 0 from 1 after the first ends")
	require.True(t, delivered(0, 1, 605*ms, Second))
}

// A heal ends the fault phase for good: a fault waiting on a probe point
// (or a delay after one) that comes due later does not fire, and says so.
func TestTriggeredFaultsDoNotFireAfterAHeal(t *testing.T) {
	k, ps, buf := newWorld(t, Config{Endpoints: 1, Disks: 1, Vocabulary: Vocabulary{Points: []Point{"step"}}})
	require.NoError(t, k.Load(Plan{Faults: []Fault{
		{At: Millisecond / 2, Kind: FaultHeal},
		{On: &Trigger{Point: "step", Node: 0, Nth: 2}, Kind: FaultCrash, Node: 0, For: Second},
	}}))
	steps := 0
	ps[0].onStart = func(p *probe) { k.SetTimer(0, Millisecond, 1) }
	ps[0].onFire = func(p *probe, _ uint64) {
		steps++
		k.Point(0, "step")
		if steps < 20 {
			k.SetTimer(0, Millisecond, 1)
		}
	}
	k.Start(0, 0)
	require.NoError(t, k.Run(Second))
	require.Equal(t, 20, steps, "the crash never came")
	require.Equal(t, 0, ps[0].stops)
	require.True(t, hasRecord(traceKinds(buf), "fault/healed", nil))
}

// A slow link delays each message by up to its lag beyond the latency, so
// messages sent during it arrive late and out of order.
func TestSlowLinkDelaysAndReorders(t *testing.T) {
	ms := Millisecond
	recs := chatter(t, Plan{Faults: []Fault{{At: 100 * ms, Kind: FaultSlow, Node: 0, Peer: 1, Lag: 300 * ms, For: 100 * ms}}})
	during, late := 0, 0
	for _, r := range recs {
		if r["kind"] != "deliver" || r["node"] != 1.0 || r["from"] != 0.0 {
			continue
		}
		switch at := r["t"].(float64); {
		case at > float64(100*ms) && at < float64(200*ms):
			during++
		case at > float64(201*ms) && at < float64(500*ms):
			late++
		}
	}
	require.Less(t, during, 50, "most messages sent in the window are held back (100 were sent)")
	require.Greater(t, late, 300, "and arrive after it, on top of the ordinary traffic")
}
