package harness

import (
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// monitorHost binds a node.Monitor to the kernel: it implements sim.Host
// for the kernel and node.Env for the monitor.
type monitorHost struct {
	k           *sim.Kernel
	rank        int
	cfg         node.Config
	obs         *observer
	m           *node.Monitor
	booted      bool
	powerLosses int // the kernel's count when this incarnation started
	// droppedCorrupt: the message being delivered was dropped as corrupt.
	droppedCorrupt bool
}

func (h *monitorHost) Start() {
	cfg := h.cfg
	if h.booted {
		// Switch atomicity is judged on disk, before the monitor touches it.
		h.obs.boot(h.rank, cfg.HasStore(h.k.Disk(h.rank).Unfaulted()))
	}
	cfg.Mkfs = !h.booted // only the very first start may create the store
	h.booted = true
	h.powerLosses = h.k.PowerLosses(h.rank)
	h.m = node.New(cfg, h)
	h.m.Start()
}

// Deliver hands the monitor a message. One it drops as corrupt although
// its checksum held was written or read wrong, not damaged on the wire.
func (h *monitorHost) Deliver(from int, msg []byte) {
	h.droppedCorrupt = false
	h.m.Deliver(from, msg)
	if h.droppedCorrupt && node.MsgChecksumHolds(msg) {
		h.obs.suite.MalformedMsg(h.k.Now(), h.rank, from, node.MsgType(msg[4]))
	}
}

func (h *monitorHost) Fire(id sim.TimerID, tag uint64) { h.m.Fire(node.TimerID(id), tag) }

func (h *monitorHost) Stop() {
	if h.m != nil && (h.m.Repairing() || h.m.PageRepairing()) && h.k.PowerLosses(h.rank) > h.powerLosses {
		h.obs.counters["mid_repair_power_losses"]++
	}
	h.m = nil
}

// Stopped restarts a monitor that stopped on a store error, as a service
// manager would: once the handler is done, the process dies and comes back
// after a delay.
func (h *monitorHost) Stopped(err error) {
	h.obs.suite.Stop(h.k.Now(), h.rank, err)
	m := h.m
	restartWhenDone(h.k, h.rank, func() bool { return h.m == m })
}

// restartWhenDone crashes host id once the running handler is done and
// starts it again after restartDelay, as a service manager would, unless
// still says the stopped process is gone already (crashed or restarted by
// the plan meanwhile).
func restartWhenDone(k *sim.Kernel, id int, still func() bool) {
	k.At(k.Now(), func() {
		if still() {
			k.Crash(id)
			k.Start(id, k.Now()+restartDelay)
		}
	})
}

func (h *monitorHost) Now() int64 { return h.k.NodeNow(h.rank) }
func (h *monitorHost) SetTimer(d int64, tag uint64) node.TimerID {
	return node.TimerID(h.k.SetTimer(h.rank, d, tag))
}
func (h *monitorHost) CancelTimer(id node.TimerID) { h.k.CancelTimer(h.rank, sim.TimerID(id)) }
func (h *monitorHost) Rand() uint64                { return h.k.Rand(h.rank).Uint64() }
func (h *monitorHost) Send(to int, msg []byte)     { h.k.Send(h.rank, to, msg) }
func (h *monitorHost) FS() vfs.FS                  { return h.k.Disk(h.rank) }
func (h *monitorHost) Point(p node.Point) {
	h.obs.point(h.rank, p, h.k.Disk(h.rank).MutatingOps())
	h.k.Point(h.rank, sim.Point(p))
}
func (h *monitorHost) Emit(ev node.Event) {
	h.droppedCorrupt = h.droppedCorrupt || ev.Kind == node.EvCorruptMsg
	h.obs.event(h.rank, ev)
}
func (h *monitorHost) Reached(p node.CodeProbe) { h.obs.probes[string(p)]++ }
