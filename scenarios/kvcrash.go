package scenarios

import (
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node/kvstore"
	"github.com/monsim/monsim/sim"
)

// kv-crash drives one kvstore through batches on faultfs while its host
// crashes and loses power (honest and torn), sometimes at the store's own
// probe points (checkpoint and manifest switches). After every restart the
// recovered state must be a prefix of the applied batches that contains
// every synced one.
func init() {
	register(&Scenario{
		Name:        "kv-crash",
		Description: "one kvstore under batches, process crashes and honest/torn power losses; no synced batch may be lost",
		Generate:    kvCrashPlan,
		Execute:     kvCrashRun,
	})
}

const (
	kvFaultPhase = 20 * sim.Second
	kvRunEnd     = kvFaultPhase + 2*sim.Second
	kvKeys       = 24
)

var kvStorePoints = []string{
	"kvstore/log-entry-written", "kvstore/l1-written", "kvstore/ckpt-written", "kvstore/ckpt-synced",
	"kvstore/ckpt-renamed", "kvstore/segment-created", "kvstore/dir-synced", "kvstore/manifest-written",
	"kvstore/manifest-synced", "kvstore/manifest-renamed", "kvstore/obsolete-removed",
}

// kvStoreOptions checkpoint often, so a short run crosses many switches.
var kvStoreOptions = kvstore.Options{L1Every: 16, L2Every: 128, SegmentBytes: 64 << 10}

func kvCrashPlan(o Options) sim.Plan {
	r := rng.New(o.Seed, "plan")
	var p sim.Plan
	for t := r.Range(200*sim.Millisecond, sim.Second); t < kvFaultPhase; t += r.Range(300*sim.Millisecond, 2*sim.Second) {
		f := sim.Fault{At: t, Node: 0, For: r.Range(sim.Millisecond, 100*sim.Millisecond)}
		switch r.Intn(3) {
		case 0:
			f.Kind = sim.FaultCrash
		case 1:
			f.Kind, f.Mode = sim.FaultPowerLoss, "honest"
		default:
			f.Kind, f.Mode = sim.FaultPowerLoss, "torn"
		}
		p.Faults = append(p.Faults, f)
	}
	// Cut power inside the store's own critical sections too: timed faults
	// rarely land there.
	for range r.Range(1, 3) {
		mode := []string{"honest", "torn"}[r.Intn(2)]
		p.Faults = append(p.Faults, sim.Fault{
			On:   &sim.Trigger{Point: kvStorePoints[r.Intn(len(kvStorePoints))], Node: 0, Nth: int(r.Range(1, 4))},
			Kind: sim.FaultPowerLoss, Node: 0, Mode: mode, For: r.Range(sim.Millisecond, 50*sim.Millisecond),
		})
	}
	return p
}

// kvHost is the node that owns the store: it boots, recovers, checks the
// recovered state and then applies random batches until it dies.
type kvHost struct {
	k          *sim.Kernel
	rand       *rng.Stream
	store      *kvstore.Store
	model      map[string]string
	durability *checker.Durability
	violations []checker.Violation
	counters   Counters
}

func kvCrashRun(o Options, plan sim.Plan) *Result {
	k := sim.New(sim.Config{Seed: o.Seed, Endpoints: 1, Disks: 1, Trace: o.Trace, Disk: diskCosts()})
	h := &kvHost{k: k, rand: k.Stream("workload"), model: map[string]string{}, counters: Counters{}}
	h.durability = checker.NewDurability(stateHash(h.model))
	k.Attach(0, h)
	res := &Result{Monitors: 1}
	if err := k.Load(plan); err != nil {
		res.Violations = append(res.Violations, checker.Violation{Checker: "plan", Node: -1, Reason: err.Error()})
		return res
	}
	k.Start(0, 0)
	// The heal phase: whatever the plan left down comes back.
	k.At(kvFaultPhase, func() {
		if !k.Up(0) {
			k.Start(0, k.Now())
		}
	})
	if err := k.Run(kvRunEnd); err != nil {
		h.violations = append(h.violations, checker.Violation{Checker: "budget", Node: -1, At: k.Now(), Reason: err.Error()})
	}
	if !k.Up(0) && len(h.violations) == 0 {
		h.violations = append(h.violations, checker.Violation{Checker: "liveness", Node: 0, At: k.Now(), Reason: "the store host is still down after the heal phase"})
	}
	res.Violations = h.violations
	res.TraceHash, res.SimTime, res.Events, res.Counters = k.Trace.Hash(), k.Now(), k.Events(), h.counters
	return res
}

func (h *kvHost) Start() {
	opts := kvStoreOptions
	opts.Point = func(name string) { h.k.Point(0, name) }
	s, err := kvstore.Open(h.k.Disk(0), "kv", opts)
	if err != nil {
		reason := "open failed: " + err.Error()
		if errors.Is(err, kvstore.ErrCorrupt) {
			reason = "open reported corruption after crashes and honest/torn power losses only: " + err.Error()
		}
		h.fail("kv-open", reason)
		return
	}
	h.store = s
	h.counters["opens"]++
	info := s.Info()
	if info.Level == 1 {
		h.counters["recoveries_l1"]++
	} else {
		h.counters["recoveries_l2"]++
	}
	if info.TornBytes > 0 {
		h.counters["torn_tails"]++
	}
	h.k.Record(0, "kv/open", sim.Int("seq", int64(s.Seq())), sim.Int("torn_bytes", info.TornBytes))
	h.model = map[string]string{}
	s.Iterate("", func(key string, value []byte) bool {
		h.model[key] = string(value)
		return true
	})
	if v := h.durability.Recovered(h.k.Now(), 0, stateHash(h.model)); v != nil {
		h.violations = append(h.violations, *v)
		return
	}
	h.k.SetTimer(0, h.k.Rand(0).Range(sim.Millisecond, 5*sim.Millisecond), 0)
}

func (h *kvHost) Deliver(int, []byte) {}

func (h *kvHost) Fire(sim.TimerID, uint64) {
	if h.store == nil {
		return
	}
	var b kvstore.Batch
	for range h.rand.Range(1, 4) {
		key := fmt.Sprintf("k%02d", h.rand.Intn(kvKeys))
		switch h.rand.Intn(5) {
		case 0:
			b.Delete(key)
			delete(h.model, key)
		case 1:
			b.DeletePrefix(key[:2])
			for mk := range h.model { //detlint:order-independent deleting matching keys commutes
				if len(mk) >= 2 && mk[:2] == key[:2] {
					delete(h.model, mk)
				}
			}
		default:
			v := make([]byte, h.rand.Range(0, 300))
			for i := range v {
				v[i] = byte('a' + h.rand.Intn(26))
			}
			b.Put(key, v)
			h.model[key] = string(v)
		}
	}
	sync := h.rand.Chance(0.5)
	if err := h.store.Apply(&b, sync); err != nil {
		h.fail("kv-apply", "apply failed without any injected disk error: "+err.Error())
		return
	}
	h.counters["batches"]++
	if sync {
		h.counters["synced_batches"]++
	}
	h.durability.Applied(stateHash(h.model), sync)
	h.k.SetTimer(0, h.rand.Range(sim.Millisecond, 5*sim.Millisecond), 0)
}

func (h *kvHost) Stop() {
	h.store = nil
	h.counters["process_deaths"]++
}

func (h *kvHost) fail(check, reason string) {
	h.violations = append(h.violations, checker.Violation{Checker: check, Node: 0, At: h.k.Now(), Reason: reason})
}

// stateHash is an order-independent digest of a key/value state: the sum of
// a hash per pair, so it can be computed from a map in any order.
func stateHash(m map[string]string) uint64 {
	var sum uint64
	for k, v := range m { //detlint:order-independent addition commutes
		h := fnv.New64a()
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(v))
		sum += h.Sum64()
	}
	return sum
}

// diskCosts are the simulated disk latencies every scenario uses.
func diskCosts() (o faultfs.Options) {
	o.SyncLatencyMin, o.SyncLatencyMax = 200*sim.Microsecond, 2*sim.Millisecond
	return o
}
