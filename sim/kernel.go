package sim

import (
	"fmt"
	"io"

	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/netsim"
)

// Config describes one simulated world. Times are simulated nanoseconds.
type Config struct {
	Seed uint64
	// Endpoints is the number of network endpoints (monitors and clients).
	Endpoints int
	// Disks is how many endpoints, counting from 0, have a faultfs disk.
	Disks int
	// Net is the default behaviour of every link.
	Net netsim.LinkOptions
	// Disk is the template for every disk; Rand and the hooks are set by the
	// kernel.
	Disk faultfs.Options
	// MaxEvents ends a runaway run with a BudgetError. 0 means 50 million.
	MaxEvents int64
	// MaxTime ends a run whose clock passes it with a BudgetError. 0 means
	// one simulated hour.
	MaxTime int64
	// Trace receives every record as a JSON line; nil hashes only.
	Trace io.Writer
	// Vocabulary lists the probe points, targets and roles a plan may name
	// (its Nodes is filled in by the kernel).
	Vocabulary Vocabulary
	// Resolve maps a fault's node reference to a node when the fault fires;
	// a reference it cannot resolve skips the fault (and says so in the
	// trace).
	Resolve func(ref NodeRef) (int, bool)
	// ResolveTarget maps a fault's target on a node to a path prefix on its
	// disk; nil takes the target itself as the prefix.
	ResolveTarget func(node int, t Target) string
	// LocateTarget, if set, aims a corruption of a target inside each file
	// under its path: it returns a locator of the extent to damage in a
	// file's bytes (faultfs.FS.CorruptWithin), or nil for a target that is
	// whole files.
	LocateTarget func(t Target) func(data []byte) (off, n int64, ok bool)
	// OnDiskFault, if set, hears every fault a node's disk reports (after
	// the trace does), so a harness can tell its checkers about damage done
	// on purpose.
	OnDiskFault func(node int, f faultfs.Fault)
}

// Kernel is the deterministic simulator: one virtual clock, one event queue,
// named PRNG streams, the network and every disk. It is single-threaded and
// shares nothing with other kernels, so many run side by side in one process.
type Kernel struct {
	cfg   Config
	now   int64
	seq   uint64
	q     queue
	nodes []slot
	calls []func()

	Net   *netsim.Network
	Trace *Trace

	plan       Plan
	fired      map[FaultKind]int
	heals      int            // how many heal faults have run
	triggers   []int          // plan indices of point-triggered faults, in plan order
	rateFaults []*Fault       // network-rate faults running now
	blocks     map[[2]int]int // directed link -> faults cutting it now
	events     int64
	budgetErr  error
	delivs     []netsim.Delivery

	// running is the node whose handler is executing, or -1.
	running int
	cost    int64 // simulated cost charged to the running handler so far
	outbox  []outMsg
}

type outMsg struct {
	to  int
	msg []byte
}

// BudgetError ends a runaway run: it is a reported failure, never a hang.
type BudgetError struct {
	What string // "events" or "time"
	At   int64
	N    int64
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("run budget exhausted: %s (%d) at t=%s", e.What, e.N, FormatTime(e.At))
}

// New builds a kernel. Nodes are attached with Attach before Run.
func New(cfg Config) *Kernel {
	if cfg.MaxEvents == 0 {
		cfg.MaxEvents = 50_000_000
	}
	if cfg.MaxTime == 0 {
		cfg.MaxTime = 3600 * Second
	}
	k := &Kernel{
		cfg:     cfg,
		Trace:   NewTrace(cfg.Trace),
		Net:     netsim.New(cfg.Endpoints, rng.New(cfg.Seed, "net"), cfg.Net),
		nodes:   make([]slot, cfg.Endpoints),
		running: -1,
	}
	for i := range k.nodes {
		s := &k.nodes[i]
		s.rand = rng.New(cfg.Seed, fmt.Sprintf("node/%d", i))
		s.pointCounts = map[Point]int{}
		if i < cfg.Disks {
			s.disk = k.newDisk(i)
		}
	}
	return k
}

func (k *Kernel) newDisk(i int) *faultfs.FS {
	o := k.cfg.Disk
	o.Rand = rng.New(k.cfg.Seed, fmt.Sprintf("disk/%d", i))
	o.Now = func() int64 { return k.now }
	o.Charge = func(ns int64) {
		if k.running == i {
			k.cost += ns
		}
	}
	o.OnFault = func(f faultfs.Fault) {
		k.Trace.Record(k.now, i, DiskKind(f.Kind),
			Str("path", f.Path), Int("off", f.Off), Int("len", f.Len), Str("detail", f.Detail))
		if k.cfg.OnDiskFault != nil {
			k.cfg.OnDiskFault(i, f)
		}
	}
	o.AfterOp = func(errorfs.Op) { k.afterDiskOp(i) }
	return faultfs.New(o)
}

// Stream returns the named PRNG stream of this run. Each component asks for
// its own, so draws in one never shift another.
func (k *Kernel) Stream(name string) *rng.Stream { return rng.New(k.cfg.Seed, name) }

// Seed is the run seed.
func (k *Kernel) Seed() uint64 { return k.cfg.Seed }

// Now is the global simulated time.
func (k *Kernel) Now() int64 { return k.now }

// Events is how many events have been dispatched.
func (k *Kernel) Events() int64 { return k.events }

func (k *Kernel) schedule(e event) {
	k.seq++
	e.seq = k.seq
	k.q.push(e)
}

// At schedules a harness callback (workload steps, phase changes) at time t.
// Callbacks are for the harness, not nodes: they cost an allocation each.
func (k *Kernel) At(t int64, f func()) {
	k.calls = append(k.calls, f)
	k.schedule(event{at: t, kind: evCall, node: -1, arg: uint64(len(k.calls) - 1)})
}

// Run dispatches events in (time, seq) order until the queue is empty or the
// next event is after until. It returns a *BudgetError if the run exceeded
// its event or time budget; the kernel is then stopped for good.
func (k *Kernel) Run(until int64) error {
	for k.budgetErr == nil && k.q.len() > 0 && k.q.peek().at <= until {
		e := k.q.pop()
		k.now = e.at
		k.events++
		if k.events > k.cfg.MaxEvents {
			k.budgetErr = &BudgetError{What: "events", At: k.now, N: k.events}
		} else if k.now > k.cfg.MaxTime {
			k.budgetErr = &BudgetError{What: "time", At: k.now, N: k.now}
		} else {
			k.dispatch(&e)
		}
	}
	if k.budgetErr == nil && until > k.now && until <= k.cfg.MaxTime {
		k.now = until
	}
	return k.budgetErr
}

func (k *Kernel) dispatch(e *event) {
	switch e.kind {
	case evDeliver, evTimer, evStart:
		k.dispatchNode(e)
	case evFault:
		k.fireFault(int(e.arg))
	case evCall:
		f := k.calls[e.arg]
		k.calls[e.arg] = nil
		f()
	}
}

// SetResolver installs the function that maps a fault's node reference to
// a node (see Config.Resolve), for harnesses that build their nodes after
// the kernel.
func (k *Kernel) SetResolver(f func(ref NodeRef) (int, bool)) { k.cfg.Resolve = f }
