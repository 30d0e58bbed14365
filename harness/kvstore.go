package harness

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
	"github.com/monsim/monsim/sim"
)

// A store run drives one kvstore through batches on faultfs while its host
// crashes and loses power (honest and torn), sometimes at the store's own
// probe points, and its disk fails writes and syncs. After every restart
// the recovered state must be a prefix of the applied batches that contains
// every synced one. A bit flipped at the end of the newest log segment
// while the host is down (TargetLogTail) is damage, not a tear: the store
// must refuse to open (the host then stays idle) or open without losing a
// synced batch. A batch whose Apply failed counts as applied, never as
// synced: it may or may not come back; the host then restarts, as a
// service manager restarts a daemon that stopped on a store error.
const (
	StoreFaultPhase = 20 * sim.Second
	storeRunEnd     = StoreFaultPhase + 2*sim.Second
	storeKeys       = 24
	storeDir        = "kv"
	// storeRestartDelay is how long a host that stopped on a store error
	// stays down.
	storeRestartDelay = 5 * sim.Millisecond
)

// TargetLogTail names, in a store run's plan, the last logTailBytes of the
// newest log segment: its last records and their trailers, where damage is
// easiest to take for a torn write.
const TargetLogTail sim.Target = "log-tail"

const logTailBytes = 256

// storeOptions checkpoint often, so a short run crosses many switches.
var storeOptions = kvstore.Options{L1Every: 16, L2Every: 128, SegmentBytes: 64 << 10}

// StoreOptions choose one store run.
type StoreOptions struct {
	Seed  uint64
	Bug   node.Bug // a planted bug of the store to switch on; "" for none
	Plan  sim.Plan
	Trace io.Writer // JSON lines of every trace record; nil hashes only
}

// StoreVocabulary is what a store run's plans may name: the store's probe
// points, on its one node.
func StoreVocabulary() sim.Vocabulary {
	v := sim.Vocabulary{Nodes: 1, Targets: []sim.Target{TargetLogTail}}
	for _, p := range kvstore.Points() {
		v.Points = append(v.Points, sim.Point(p))
	}
	return v
}

// RunStore runs one store under the plan and checks its durability.
func RunStore(o StoreOptions) *Result {
	var bugs node.Bugs
	if err := bugs.Enable(o.Bug); err != nil {
		return planError(err)
	}
	var h *storeHost
	k := sim.New(sim.Config{Seed: o.Seed, Endpoints: 1, Disks: 1, Trace: o.Trace, Disk: diskCosts(),
		Vocabulary:    StoreVocabulary(),
		ResolveTarget: func(int, sim.Target) string { return storeDir + "/" + kvstore.ZoneLog.PathPrefix() },
		LocateTarget: func(sim.Target) func([]byte) (int64, int64, bool) {
			return func(data []byte) (int64, int64, bool) {
				n := min(int64(len(data)), logTailBytes)
				return int64(len(data)) - n, n, n > 0
			}
		},
		OnDiskFault: func(_ int, f faultfs.Fault) { h.rotPending = h.rotPending || f.Destroys() },
	})
	h = &storeHost{k: k, rand: k.Stream("workload"), model: map[string]string{}, counters: Counters{}, probes: Counters{}}
	h.opts = storeOptions
	h.opts.IgnoreSyncErrors = bugs.IgnoreFsyncError
	h.durability = checker.NewDurability(stateHash(h.model))
	k.Attach(0, h)
	if err := k.Load(o.Plan); err != nil {
		return planError(err)
	}
	res := &Result{Monitors: 1}
	k.Start(0, 0)
	// The heal phase: whatever the plan left down comes back.
	k.At(StoreFaultPhase, func() {
		if !k.Up(0) {
			k.Start(0, k.Now())
		}
	})
	if err := k.Run(storeRunEnd); err != nil {
		h.violations = append(h.violations, checker.Violation{Checker: checker.NameBudget, Node: -1, At: k.Now(), Reason: err.Error()})
	}
	if !k.Up(0) && len(h.violations) == 0 {
		h.violations = append(h.violations, checker.Violation{Checker: checker.NameLiveness, Node: 0, At: k.Now(), Reason: "the store host is still down after the heal phase"})
	}
	res.Violations = h.violations
	res.TraceHash, res.SimTime, res.Events, res.Counters, res.Probes = k.Trace.Hash(), k.Now(), k.Events(), h.counters, h.probes
	return res
}

// storeHost is the node that owns the store: it boots, recovers, checks the
// recovered state and then applies random batches until it dies.
type storeHost struct {
	k          *sim.Kernel
	rand       *rng.Stream
	store      *kvstore.Store
	model      map[string]string
	durability *checker.Durability
	violations []checker.Violation
	counters   Counters
	probes     Counters
	opts       kvstore.Options
	// rotPending: the plan damaged the disk since the last good open.
	rotPending bool
}

func (h *storeHost) Start() {
	opts := h.opts
	opts.Point = func(p kvstore.Point) { h.k.Point(0, sim.Point(p)) }
	opts.Reached = func(p kvstore.CodeProbe) { h.probes[string(p)]++ }
	s, err := kvstore.Open(h.k.Disk(0), storeDir, opts)
	if err != nil && errors.Is(err, faultfs.ErrInjected) {
		h.restart() // the disk failed, not the store: try again later
		return
	}
	if err != nil && h.rotPending && errors.Is(err, kvstore.ErrCorrupt) {
		h.counters["damage_refused"]++
		return // the right answer; nothing here repairs a store, so it stays idle
	}
	if err != nil {
		reason := "open failed: " + err.Error()
		if errors.Is(err, kvstore.ErrCorrupt) {
			reason = "open reported corruption after crashes and honest/torn power losses only: " + err.Error()
		}
		h.fail(reason)
		return
	}
	h.store, h.rotPending = s, false
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
	h.k.Record(0, kindStoreOpen, sim.Int("seq", int64(s.Seq())), sim.Int("torn_bytes", info.TornBytes))
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

// kindStoreOpen traces a store run's recovery.
var kindStoreOpen = sim.EventKind("kv-open")

func (h *storeHost) Deliver(int, []byte) {}

func (h *storeHost) Fire(sim.TimerID, uint64) {
	if h.store == nil {
		return
	}
	var b kvstore.Batch
	for range h.rand.Range(1, 4) {
		key := fmt.Sprintf("k%02d", h.rand.Intn(storeKeys))
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
		if !errors.Is(err, faultfs.ErrInjected) {
			h.fail("apply failed without any injected disk error: " + err.Error())
			return
		}
		// Its fate is unknown (a failed fsync may still have written it),
		// and nothing the store says can be trusted any more: reopen.
		h.counters["failed_applies"]++
		h.durability.Applied(stateHash(h.model), false)
		h.store = nil
		h.restart()
		return
	}
	h.counters["batches"]++
	if sync {
		h.counters["synced_batches"]++
	}
	h.durability.Applied(stateHash(h.model), sync)
	h.k.SetTimer(0, h.rand.Range(sim.Millisecond, 5*sim.Millisecond), 0)
}

// restart kills the host's process once the handler is done and boots it
// again a little later.
func (h *storeHost) restart() {
	h.k.At(h.k.Now(), func() {
		if h.k.Up(0) {
			h.k.Crash(0)
			h.k.Start(0, h.k.Now()+storeRestartDelay)
		}
	})
}

func (h *storeHost) Stop() {
	h.store = nil
	h.counters["process_deaths"]++
}

func (h *storeHost) fail(reason string) {
	h.violations = append(h.violations, checker.Violation{Checker: checker.NameKVDurability, Node: 0, At: h.k.Now(), Reason: reason})
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
