package scenarios

import (
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/netsim"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
	"github.com/monsim/monsim/sim"
)

// Timeline of every cluster scenario: a fault phase, then a heal phase in
// which every fault stops, everything down restarts, and the cluster must
// converge before the end.
const (
	faultPhase     = 20 * sim.Second
	healPhase      = 20 * sim.Second
	clusterEnd     = faultPhase + healPhase
	defaultClients = 4
	maxDriftPPM    = 200
	restartDelay   = 500 * sim.Millisecond // a monitor that stopped on a store error comes back after this
)

// linTimeout bounds the porcupine check; past it the verdict is unknown.
const linTimeout = 10 * time.Second

// clusterNet is every link's behaviour outside injected faults.
var clusterNet = netsim.LinkOptions{LatencyMin: 200 * sim.Microsecond, LatencyMax: 2 * sim.Millisecond,
	TailProb: 0.01, TailMax: 20 * sim.Millisecond}

// monitorConfig is the monitor configuration every scenario starts from.
func monitorConfig(rank, monitors int) node.Config {
	return node.Config{
		Rank: rank, Monitors: monitors, MaxDriftPPM: maxDriftPPM,
		PaxosMin: 50, TrimMin: 25, TrimMax: 50,
		Store: kvstore.Options{L1Every: 32, L2Every: 256, SegmentBytes: 256 << 10},
	}
}

// cluster is one simulated world of monitors and clients.
type cluster struct {
	k        *sim.Kernel
	monitors int
	hosts    []*monitorHost
	clients  []*client
	work     Workload
	obs      *observer
	// expectUnavailable replaces the liveness check: every store breaks,
	// and the cluster must stay down rather than start a new history.
	expectUnavailable bool
}

func newCluster(o Options, monitors int, plan sim.Plan) (*cluster, error) {
	work := Workload{Clients: defaultClients}
	if o.Workload != nil {
		work = *o.Workload
	}
	k := sim.New(sim.Config{
		Seed: o.Seed, Endpoints: monitors + work.Clients, Disks: monitors,
		Net: clusterNet, Disk: diskCosts(), Trace: o.Trace,
		MaxEvents: 20_000_000, MaxTime: clusterEnd + sim.Second,
	})
	c := &cluster{k: k, monitors: monitors, work: work}
	c.obs = newObserver(k, monitors)
	k.SetResolver(c.resolve)
	var bugs node.Bugs
	if o.Bug != "" {
		if err := bugs.Enable(o.Bug); err != nil {
			return nil, err
		}
	}
	drift := k.Stream("drift")
	for r := range monitors {
		cfg := monitorConfig(r, monitors)
		cfg.Bugs = bugs
		h := &monitorHost{k: k, rank: r, cfg: cfg, obs: c.obs}
		c.hosts = append(c.hosts, h)
		k.Attach(r, h)
		k.SetDrift(r, drift.Range(-maxDriftPPM, maxDriftPPM))
		k.Start(r, drift.Range(0, 50*sim.Millisecond))
	}
	for i := range work.Clients {
		id := monitors + i
		cl := &client{k: k, id: id, monitors: monitors, rand: k.Stream(fmt.Sprintf("client/%d", i)), obs: c.obs,
			opts: ClientOptions{Keys: 5, ThinkMin: 5 * sim.Millisecond, ThinkMax: 60 * sim.Millisecond,
				Timeout: 300 * sim.Millisecond, GiveUpAfter: 4 * sim.Second, StopAt: clusterEnd - 5*sim.Second, HealAt: faultPhase}}
		if i < len(work.MaxOps) {
			cl.opts.MaxOps = work.MaxOps[i]
		}
		c.clients = append(c.clients, cl)
		k.Attach(id, cl)
		k.Start(id, sim.Second)
	}
	if err := k.Load(plan); err != nil {
		return nil, err
	}
	return c, nil
}

// healPlan appends the heal phase to a fault plan: at the end of the fault
// phase every fault stops and every monitor boots if it is down.
func healPlan(p sim.Plan, monitors int) sim.Plan {
	p.Faults = append(p.Faults, sim.Fault{At: faultPhase, Kind: sim.FaultHeal})
	for r := range monitors {
		p.Faults = append(p.Faults, sim.Fault{At: faultPhase, Kind: sim.FaultRestart, Node: r})
	}
	return p
}

// run executes the world and checks everything.
func (c *cluster) run() *Result {
	res := &Result{Monitors: c.monitors}
	if err := c.k.Run(clusterEnd); err != nil {
		res.Violations = append(res.Violations, checker.Violation{Checker: "budget", Node: -1, At: c.k.Now(), Reason: err.Error()})
	}
	now := c.k.Now()
	res.Violations = append(res.Violations, c.obs.cluster.Violations()...)
	if c.expectUnavailable {
		// Every copy was destroyed on purpose: acknowledged writes are gone
		// with them, and what must hold instead is that nothing new began.
		v, note := c.obs.stayedUnavailable(now, c.monitors)
		res.Violations, res.Note = append(res.Violations, v...), note
	} else {
		res.Violations = append(res.Violations, c.obs.cluster.Finish(now)...)
		res.Violations = append(res.Violations, checker.CheckLiveness(now, c.states(), c.unfinishedOps(), "after the heal phase")...)
	}
	var ops []checker.KVOp
	for _, cl := range c.clients {
		ops = append(ops, cl.finalHistory()...)
	}
	lin := checker.CheckLinearizable(ops, linTimeout)
	res.History, res.Lin, res.Workload = ops, &lin, &c.work
	for _, cl := range c.clients {
		res.ClientOps = append(res.ClientOps, int(cl.reqID))
	}
	switch lin.Verdict {
	case "illegal":
		res.Violations = append(res.Violations, *lin.Violation)
	case "unknown":
		res.Unknown = "linearizability check timed out"
	}
	res.TraceHash, res.SimTime, res.Events = c.k.Trace.Hash(), now, c.k.Events()
	res.Counters, res.RepairPath = c.obs.counters, c.obs.repairPath
	res.Counters["client_ops"] = int64(len(ops))
	for _, f := range []struct {
		name string
		kind sim.FaultKind
	}{{"power_losses", sim.FaultPowerLoss}, {"process_crashes", sim.FaultCrash}, {"partitions", sim.FaultPartition}} {
		res.Counters[f.name] = int64(c.k.Fired(f.kind))
	}
	return res
}

func (c *cluster) states() []checker.MonitorState {
	out := make([]checker.MonitorState, c.monitors)
	for r, h := range c.hosts {
		st := checker.MonitorState{Rank: r, Up: c.k.Up(r) && h.m != nil}
		if st.Up {
			st.Phase, st.LC, st.Quorum, st.Epoch = h.m.Phase().String(), h.m.LastCommitted(), h.m.Quorum(), h.m.Epoch()
		}
		out[r] = st
	}
	return out
}

func (c *cluster) unfinishedOps() int {
	n := 0
	for _, cl := range c.clients {
		n += cl.unfinished()
	}
	return n
}

// monitorHost binds a node.Monitor to the kernel: it implements sim.Node
// for the kernel and node.Env for the monitor.
type monitorHost struct {
	k           *sim.Kernel
	rank        int
	cfg         node.Config
	obs         *observer
	m           *node.Monitor
	booted      bool
	powerLosses int // the kernel's count when this incarnation started
}

func (h *monitorHost) Start() {
	cfg := h.cfg
	if h.booted {
		// Switch atomicity is judged on disk, before the monitor touches it.
		h.obs.boot(h.rank, exists(h.k.Disk(h.rank), fmt.Sprintf("mon-%d/store/MANIFEST", h.rank)))
	}
	cfg.Mkfs = !h.booted // only the very first start may create the store
	h.booted = true
	h.powerLosses = h.k.PowerLosses(h.rank)
	h.m = node.New(cfg, h)
	h.m.Start()
	h.checkStopped()
}

func (h *monitorHost) Deliver(from int, msg []byte) {
	h.m.Deliver(from, msg)
	h.checkStopped()
}

func (h *monitorHost) Fire(id sim.TimerID, tag uint64) {
	h.m.Fire(node.TimerID(id), tag)
	h.checkStopped()
}

func (h *monitorHost) Stop() {
	if h.m != nil && h.m.Repairing() && h.k.PowerLosses(h.rank) > h.powerLosses {
		h.obs.counters["mid_repair_power_losses"]++
	}
	h.m = nil
}

// checkStopped restarts a monitor that stopped on a store error, as a
// service manager would.
func (h *monitorHost) checkStopped() {
	if h.m == nil || h.m.Err() == nil {
		return
	}
	m := h.m
	h.k.At(h.k.Now(), func() {
		if h.m == m {
			h.k.Crash(h.rank)
			h.k.Start(h.rank, h.k.Now()+restartDelay)
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
func (h *monitorHost) Point(name string) {
	h.obs.point(h.rank, name, h.k.Disk(h.rank).MutatingOps())
	h.k.Point(h.rank, name)
}
func (h *monitorHost) Emit(ev node.Event) { h.obs.event(h.rank, ev) }

// resolve maps fault NodeRefs: "sync-provider-of:N" is the monitor N is
// syncing from right now.
func (c *cluster) resolve(ref string) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(ref, "sync-provider-of:%d", &n); err != nil || n < 0 || n >= c.monitors {
		return 0, false
	}
	if m := c.hosts[n].m; m != nil && m.SyncProvider() >= 0 {
		return m.SyncProvider(), true
	}
	return 0, false
}

func exists(fs vfs.FS, path string) bool {
	_, err := fs.Stat(path)
	return err == nil
}
