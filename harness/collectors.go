package harness

import (
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// Collectors run beside the monitors: endpoints monitors..monitors+N-1,
// each with its own disk, named in the events by its endpoint number.
const (
	collectorReport       = 400 * sim.Millisecond // a collector reports this often
	collectorStatusEvery  = 2                     // ...and its status changes once every this many reports, on average
	collectorFetchTimeout = 500 * sim.Millisecond
	collectorTimeout      = 1500 * sim.Millisecond // the leader marks a silent collector down after this
	eventsKeep            = 8                      // monitors keep this many events, and trim 8 more at once
	eventsTrimMin         = 8
	// CollectorBound is how soon after an event commits every healed
	// collector must hold it at the end of a run.
	CollectorBound = 5 * sim.Second
)

// CollectorConfig is the configuration every collector of a cluster run
// starts from.
func CollectorConfig(endpoint, monitors int) collector.Config {
	return collector.Config{ID: endpoint, Monitors: monitors, ReportInterval: collectorReport,
		FetchTimeout: collectorFetchTimeout, StatusEvery: collectorStatusEvery, StatusUntil: quietFrom,
		Store: MonitorConfig(0, monitors).Store}
}

// collectorHost binds a collector to the kernel: it implements sim.Host for
// the kernel and collector.Env for the collector.
type collectorHost struct {
	k      *sim.Kernel
	id     int // its endpoint
	cfg    collector.Config
	obs    *observer
	c      *collector.Collector
	booted bool
}

func (h *collectorHost) Start() {
	cfg := h.cfg
	cfg.Mkfs, h.booted = !h.booted, true
	h.c = collector.New(cfg, h)
	h.c.Start()
}

func (h *collectorHost) Deliver(from int, msg []byte) { h.c.Deliver(from, msg) }

func (h *collectorHost) Fire(id sim.TimerID, tag uint64) { h.c.Fire(collector.TimerID(id), tag) }

func (h *collectorHost) Stop() { h.c = nil }

// Stopped restarts a collector whose store failed, as a service manager
// would.
func (h *collectorHost) Stopped(error) {
	c := h.c
	restartWhenDone(h.k, h.id, func() bool { return h.c == c })
}

func (h *collectorHost) Now() int64 { return h.k.NodeNow(h.id) }
func (h *collectorHost) SetTimer(d int64, tag uint64) collector.TimerID {
	return collector.TimerID(h.k.SetTimer(h.id, d, tag))
}
func (h *collectorHost) CancelTimer(id collector.TimerID) { h.k.CancelTimer(h.id, sim.TimerID(id)) }
func (h *collectorHost) Rand() uint64                     { return h.k.Rand(h.id).Uint64() }
func (h *collectorHost) Send(to int, msg []byte)          { h.k.Send(h.id, to, msg) }
func (h *collectorHost) FS() vfs.FS                       { return h.k.Disk(h.id) }
func (h *collectorHost) Point(p collector.Point)          { h.k.Point(h.id, sim.Point(p)) }
func (h *collectorHost) Emit(ev collector.Event)          { h.obs.collectorEvent(ev) }
func (h *collectorHost) Reached(p node.CodeProbe)         { h.obs.probes[string(p)]++ }

// final is the collector's state for the liveness check.
func (h *collectorHost) final() checker.CollectorFinal {
	f := checker.CollectorFinal{ID: h.id, Up: h.k.Up(h.id) && h.c != nil}
	if f.Up {
		f.Registered, f.Nonce, f.Confirmed = h.c.Registered(), h.c.Nonce(), h.c.Confirmed()
	}
	return f
}

// CodeProbes lists every code probe of the system under test: the
// monitor's, its store's and the collector's.
func CodeProbes() []node.CodeProbeInfo {
	return append(node.CodeProbes(), collector.CodeProbes()...)
}
