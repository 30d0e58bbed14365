package sim

import (
	"bytes"
	"encoding/json"
	"github.com/monsim/monsim/faultfs"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/monsim/monsim/netsim"
	"github.com/stretchr/testify/require"
)

// probe is a scriptable node for kernel tests.
type probe struct {
	k         *Kernel
	id        int
	starts    int
	stops     int
	fired     []uint64
	got       [][]byte
	onStart   func(p *probe)
	onFire    func(p *probe, tag uint64)
	onDeliver func(p *probe, from int, msg []byte)
}

func (p *probe) Start() {
	p.starts++
	if p.onStart != nil {
		p.onStart(p)
	}
}
func (p *probe) Deliver(from int, msg []byte) {
	p.got = append(p.got, msg)
	if p.onDeliver != nil {
		p.onDeliver(p, from, msg)
	}
}
func (p *probe) Fire(_ TimerID, tag uint64) {
	p.fired = append(p.fired, tag)
	if p.onFire != nil {
		p.onFire(p, tag)
	}
}
func (p *probe) Stop() { p.stops++ }

func newWorld(t *testing.T, cfg Config) (*Kernel, []*probe, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	if cfg.Trace == nil {
		cfg.Trace = &buf
	}
	k := New(cfg)
	ps := make([]*probe, cfg.Endpoints)
	for i := range ps {
		ps[i] = &probe{k: k, id: i}
		k.Attach(i, ps[i])
	}
	return k, ps, &buf
}

func traceKinds(buf *bytes.Buffer) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err == nil {
			out = append(out, m)
		}
	}
	return out
}

func hasRecord(recs []map[string]any, kind string, match func(map[string]any) bool) bool {
	for _, r := range recs {
		if r["kind"] == kind && (match == nil || match(r)) {
			return true
		}
	}
	return false
}

// pingPong runs two nodes bouncing a counter over a lossy, reordering
// network and returns the trace hash.
func pingPong(seed uint64) uint64 {
	k := New(Config{Seed: seed, Endpoints: 2, Net: netsim.LinkOptions{
		LatencyMin: Millisecond, LatencyMax: 5 * Millisecond, Loss: 0.05, Dup: 0.05,
	}})
	for i := range 2 {
		p := &probe{k: k, id: i}
		p.onStart = func(p *probe) { p.k.SetTimer(p.id, Millisecond, 1) }
		p.onFire = func(p *probe, _ uint64) {
			p.k.Send(p.id, 1-p.id, []byte{byte(p.k.Rand(p.id).Intn(256))})
			p.k.SetTimer(p.id, p.k.Rand(p.id).Range(Millisecond, 3*Millisecond), 1)
		}
		k.Attach(i, p)
		k.Start(i, 0)
	}
	if err := k.Run(2 * Second); err != nil {
		panic(err)
	}
	return k.Trace.Hash()
}

func TestSameSeedGivesSameTraceHash(t *testing.T) {
	require.Equal(t, pingPong(7), pingPong(7))
	require.NotEqual(t, pingPong(7), pingPong(8))
}

func TestTimersFireAtTheirTimeAndCancelledOnesDoNot(t *testing.T) {
	k, ps, _ := newWorld(t, Config{Endpoints: 1})
	var at []int64
	ps[0].onStart = func(p *probe) {
		k.SetTimer(0, 30, 3)
		k.SetTimer(0, 10, 1)
		k.CancelTimer(0, k.SetTimer(0, 20, 2))
	}
	ps[0].onFire = func(p *probe, tag uint64) { at = append(at, k.Now()) }
	k.Start(0, 0)
	require.NoError(t, k.Run(Second))
	require.Equal(t, []uint64{1, 3}, ps[0].fired)
	require.Equal(t, []int64{10, 30}, at)
}

func TestCrashCancelsTimersAndDropsMessagesUntilRestart(t *testing.T) {
	k, ps, buf := newWorld(t, Config{Endpoints: 2, Disks: 2, Net: netsim.LinkOptions{LatencyMin: 10, LatencyMax: 10}})
	ps[0].onStart = func(p *probe) { k.SetTimer(0, 100, 9) }
	k.Start(0, 0)
	k.Start(1, 0)
	k.At(50, func() { k.Crash(0); k.Send(1, 0, []byte("lost")) })
	k.At(200, func() { k.Start(0, k.Now()) })
	k.At(300, func() { k.Send(1, 0, []byte("kept")) })
	require.NoError(t, k.Run(Second))
	require.Equal(t, 1, ps[0].stops)
	require.Equal(t, 2, ps[0].starts)
	require.Equal(t, [][]byte{[]byte("kept")}, ps[0].got)
	require.Equal(t, []uint64{9}, ps[0].fired, "only the timer set by the second start fires")
	require.True(t, hasRecord(traceKinds(buf), "drop", func(r map[string]any) bool { return r["why"] == "down" }))
}

func TestDiskCostDelaysTheHandlersSendsAndLaterEvents(t *testing.T) {
	cfg := Config{Endpoints: 2, Disks: 1, Net: netsim.LinkOptions{LatencyMin: 10, LatencyMax: 10}}
	cfg.Disk.SyncLatencyMin, cfg.Disk.SyncLatencyMax = 5*Millisecond, 5*Millisecond
	k, ps, _ := newWorld(t, cfg)
	var sentAt, arrivedAt int64
	ps[0].onStart = func(p *probe) {
		f, err := k.Disk(0).Create("x", vfs.WriteCategoryUnspecified)
		require.NoError(t, err)
		_, err = f.Write([]byte("data"))
		require.NoError(t, err)
		require.NoError(t, f.Sync())
		sentAt = k.NodeNow(0)
		k.Send(0, 1, []byte("after-sync"))
	}
	ps[1].onDeliver = func(p *probe, from int, msg []byte) { arrivedAt = k.Now() }
	k.Start(0, 0)
	k.Start(1, 0)
	require.NoError(t, k.Run(Second))
	require.GreaterOrEqual(t, sentAt, 5*Millisecond, "the handler's clock includes the fsync")
	require.GreaterOrEqual(t, arrivedAt, 5*Millisecond+10)
}

func TestPowerCutAtAProbePointStopsTheHandlerThere(t *testing.T) {
	k, ps, buf := newWorld(t, Config{Endpoints: 1, Disks: 1, Vocabulary: Vocabulary{Points: []Point{"step"}}})
	require.NoError(t, k.Load(Plan{Faults: []Fault{{
		On: &Trigger{Point: "step", Node: 0, Nth: 2}, Kind: FaultPowerLoss, Node: 0, Power: faultfs.Honest, For: Second,
	}}}))
	var reached []int
	ps[0].onStart = func(p *probe) {
		for i := 1; i <= 3; i++ {
			k.Point(0, "step")
			reached = append(reached, i)
		}
	}
	k.Start(0, 0)
	require.NoError(t, k.Run(10*Second))
	// First boot: the cut happens at the 2nd "step"; after the restart the
	// counter is past the trigger, so the second boot runs to the end.
	require.Equal(t, []int{1, 1, 2, 3}, reached)
	require.Equal(t, 1, ps[0].stops)
	recs := traceKinds(buf)
	require.True(t, hasRecord(recs, "fault/power-loss", nil))
	require.True(t, hasRecord(recs, "disk/power-loss", nil))
}

func TestPowerCutAfterTheKthDiskOperation(t *testing.T) {
	k, ps, _ := newWorld(t, Config{Endpoints: 1, Disks: 1, Vocabulary: Vocabulary{Points: []Point{"begin"}}})
	require.NoError(t, k.Load(Plan{Faults: []Fault{{
		On: &Trigger{Point: "begin", Node: 0, Nth: 1, AfterOps: 2}, Kind: FaultPowerLoss, Node: 0, Power: faultfs.Honest,
	}}}))
	ops := 0
	ps[0].onStart = func(p *probe) {
		k.Point(0, "begin")
		d := k.Disk(0)
		f, err := d.Create("a", vfs.WriteCategoryUnspecified) // op 1
		require.NoError(t, err)
		ops++
		_, _ = f.Write([]byte("x")) // op 2: the cut comes right after it
		ops++
		_ = f.Sync()
		ops++
	}
	k.Start(0, 0)
	require.NoError(t, k.Run(Second))
	require.Equal(t, 1, ops, "nothing after the 2nd operation runs")
	require.False(t, k.Up(0))
	_, err := k.Disk(0).Stat("a")
	require.Error(t, err, "an unsynced create does not survive an honest power loss")
}

func TestEventBudgetEndsARunawayRun(t *testing.T) {
	k, ps, _ := newWorld(t, Config{Endpoints: 1, MaxEvents: 1000})
	ps[0].onStart = func(p *probe) { k.SetTimer(0, 0, 1) }
	ps[0].onFire = func(p *probe, _ uint64) { k.SetTimer(0, 0, 1) } // zero-delay storm
	k.Start(0, 0)
	err := k.Run(Second)
	var be *BudgetError
	require.ErrorAs(t, err, &be)
	require.Equal(t, "events", be.What)
}

func TestTimeBudgetEndsARunThatOutlivesIt(t *testing.T) {
	k, ps, _ := newWorld(t, Config{Endpoints: 1, MaxTime: Second})
	ps[0].onStart = func(p *probe) { k.SetTimer(0, Millisecond, 1) }
	ps[0].onFire = func(p *probe, _ uint64) { k.SetTimer(0, Millisecond, 1) }
	k.Start(0, 0)
	var be *BudgetError
	require.ErrorAs(t, k.Run(Minute), &be)
	require.Equal(t, "time", be.What)
}

func TestDriftSkewsTheNodeClock(t *testing.T) {
	k, ps, _ := newWorld(t, Config{Endpoints: 1})
	k.SetDrift(0, 100_000) // +10%
	var global, local int64
	ps[0].onStart = func(p *probe) { k.SetTimer(0, 110*Millisecond, 1) }
	ps[0].onFire = func(p *probe, _ uint64) { global, local = k.Now(), k.NodeNow(0) }
	k.Start(0, 0)
	require.NoError(t, k.Run(Second))
	require.Equal(t, 100*Millisecond, global)
	require.Equal(t, 110*Millisecond, local)
}
