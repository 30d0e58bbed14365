package harness

import (
	"fmt"
	"strings"
	"time"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/netsim"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// settled is how long before the end of a run a healed cluster must have
// settled for good: from there on nothing may unsettle it
// (checker.Stability).
const settled = 10 * sim.Second

// quiet is how long before the end of a run clients and collectors stop
// making changes, so that the last commits have landed everywhere when the
// run ends; quietFrom is that instant in a run of the default length.
const (
	quiet     = 5 * sim.Second
	quietFrom = ClusterEnd - quiet
)

// linTimeout bounds the porcupine check; past it the verdict is unknown.
const linTimeout = 10 * time.Second

// clusterNet is every link's behaviour outside injected faults.
var clusterNet = netsim.LinkOptions{LatencyMin: 200 * sim.Microsecond, LatencyMax: 2 * sim.Millisecond,
	TailProb: 0.01, TailMax: 20 * sim.Millisecond}

// diskCosts are the simulated disk latencies of every run.
func diskCosts() (o faultfs.Options) {
	o.SyncLatencyMin, o.SyncLatencyMax = 200*sim.Microsecond, 2*sim.Millisecond
	return o
}

// cluster is one simulated world of monitors and clients.
type cluster struct {
	k           *sim.Kernel
	monitors    int
	hosts       []*monitorHost
	collectors  []*collectorHost
	clients     []*client
	work        Workload
	obs         *observer
	unavailable bool
	end         int64 // when the run ends
	// brokenStores: how many broken stores make the cluster unavailable
	// (0: all of them; Options.BrokenStores).
	brokenStores int
}

// RunCluster builds the world o describes, runs the fault and heal phases
// and checks everything.
func RunCluster(o Options) *Result {
	c, err := newCluster(o)
	if err != nil {
		return planError(err)
	}
	return c.run()
}

func newCluster(o Options) (*cluster, error) {
	monitors := o.monitors()
	work := Workload{Clients: DefaultClients}
	if o.Workload != nil {
		work = *o.Workload
	}
	var bugs node.Bugs
	if err := bugs.Enable(o.Bug); err != nil {
		return nil, err
	}
	faultEnd, end := o.timeline()
	c := &cluster{monitors: monitors, work: work, unavailable: o.Unavailable, brokenStores: o.BrokenStores, end: end}
	nodes := monitors + o.Collectors // the endpoints with a disk
	k := sim.New(sim.Config{
		Seed: o.Seed, Endpoints: nodes + work.Clients, Disks: nodes,
		Net: clusterNet, Disk: diskCosts(), Trace: o.Trace,
		MaxEvents: 20_000_000 * max(1, end/ClusterEnd), MaxTime: end + sim.Second,
		Vocabulary: Vocabulary(monitors, o.Collectors), Resolve: c.resolve, ResolveTarget: c.targetPath,
		LocateTarget: func(t sim.Target) func([]byte) (int64, int64, bool) { return node.PageLocator(node.Target(t)) },
		OnDiskFault:  c.diskFault,
	})
	c.k = k
	c.obs = newObserver(k, monitors, o.Plan)
	if o.Unavailable {
		c.obs.suite.UnavailableOnce(o.BrokenStores)
	} else {
		c.obs.suite.WatchStability(end - settled)
	}
	keys := o.Keys
	if keys == 0 {
		keys = 5
	}
	drift := k.Stream("drift")
	preload := PreloadKeys(o.Preload)
	for r := range monitors {
		cfg := MonitorConfig(r, monitors)
		cfg.Bugs, cfg.NoPageRepair, cfg.Preload, cfg.SyncChunkKeys = bugs, o.NoPageRepair, preload, o.SyncChunkKeys
		h := &monitorHost{k: k, rank: r, cfg: cfg, obs: c.obs}
		c.hosts = append(c.hosts, h)
		k.Attach(r, h)
		k.SetDrift(r, drift.Range(-maxDriftPPM, maxDriftPPM))
		k.Start(r, drift.Range(0, 50*sim.Millisecond))
	}
	for id := monitors; id < nodes; id++ {
		h := &collectorHost{k: k, id: id, cfg: CollectorConfig(id, monitors), obs: c.obs}
		h.cfg.Bugs = bugs
		c.collectors = append(c.collectors, h)
		k.Attach(id, h)
		k.SetDrift(id, drift.Range(-maxDriftPPM, maxDriftPPM))
		k.Start(id, drift.Range(50*sim.Millisecond, 500*sim.Millisecond))
	}
	for i := range work.Clients {
		id := nodes + i
		cl := &client{k: k, id: id, monitors: monitors, rand: k.Stream(fmt.Sprintf("client/%d", i)), obs: c.obs,
			opts: ClientOptions{Keys: keys, PrefixDeletes: o.PrefixDeletes, ThinkMin: 5 * sim.Millisecond, ThinkMax: 60 * sim.Millisecond,
				Timeout: 300 * sim.Millisecond, GiveUpAfter: 4 * sim.Second, StopAt: end - quiet, HealAt: faultEnd}}
		if i < len(work.MaxOps) {
			cl.opts.MaxOps = work.MaxOps[i]
		}
		c.clients = append(c.clients, cl)
		k.Attach(id, cl)
		k.Start(id, sim.Second)
	}
	if err := k.Load(withHeal(o.Plan, nodes, faultEnd)); err != nil {
		return nil, err
	}
	return c, nil
}

// withHeal appends the heal phase to a fault plan: at the end of the fault
// phase every fault stops and every monitor and collector (nodes 0..n-1)
// boots if it is down.
func withHeal(p sim.Plan, n int, faultEnd int64) sim.Plan {
	faults := append([]sim.Fault(nil), p.Faults...)
	faults = append(faults, sim.Fault{At: faultEnd, Kind: sim.FaultHeal})
	for r := range n {
		faults = append(faults, sim.Fault{At: faultEnd, Kind: sim.FaultRestart, Node: r})
	}
	return sim.Plan{Faults: faults}
}

// run executes the world and checks everything.
func (c *cluster) run() *Result {
	res := &Result{Monitors: c.monitors, Collectors: len(c.collectors)}
	if err := c.k.Run(c.end); err != nil {
		res.Violations = append(res.Violations, checker.Violation{Checker: checker.NameBudget, Node: -1, At: c.k.Now(), Reason: err.Error()})
	}
	now := c.k.Now()
	suite := c.obs.suite
	res.Violations = append(res.Violations, suite.Violations()...)
	if c.unavailable && !suite.UnavailableStarted() && c.brokenStores > 0 {
		res.Note = fmt.Sprintf("fewer than %d stores broke: a majority stayed intact, so the run is judged as any other", c.brokenStores)
	}
	if c.unavailable && (suite.UnavailableStarted() || c.brokenStores == 0) {
		// Every copy was destroyed on purpose: acknowledged writes are gone
		// with them, and what must hold instead is that nothing new began.
		v, note := suite.FinishUnavailable(now)
		res.Violations, res.Note = append(res.Violations, v...), note
	} else {
		res.Violations = append(res.Violations, suite.Finish(now)...)
		res.Violations = append(res.Violations, checker.CheckLiveness(now, c.states(), c.unfinishedOps(), "after the heal phase")...)
		res.Violations = append(res.Violations, checker.CheckLeftovers(now, c.leftovers())...)
		if len(c.collectors) > 0 {
			res.Violations = append(res.Violations, suite.FinishCollectors(now, CollectorBound, c.collectorFinals(), "after the heal phase")...)
		}
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
	case checker.VerdictIllegal:
		res.Violations = append(res.Violations, *lin.Violation)
	case checker.VerdictUnknown:
		res.Unknown = "linearizability check timed out"
	}
	damageFirst(res.Violations)
	res.TraceHash, res.SimTime, res.Events = c.k.Trace.Hash(), now, c.k.Events()
	res.Counters, res.RepairPath, res.ResumePath, res.Probes = c.obs.counters, c.obs.repairPath, c.obs.resumePath, c.obs.probes
	res.Counters["client_ops"] = int64(len(ops))
	fetched, _ := suite.Fetched()
	res.Counters["events_fetched"] = int64(fetched)
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
			st.Phase, st.LC, st.Quorum, st.Epoch = h.m.Phase(), h.m.LastCommitted(), h.m.Quorum(), h.m.Epoch()
		}
		out[r] = st
	}
	return out
}

func (c *cluster) collectorFinals() []checker.CollectorFinal {
	out := make([]checker.CollectorFinal, len(c.collectors))
	for i, h := range c.collectors {
		out[i] = h.final()
	}
	return out
}

// leftovers asks every monitor still up what it failed to clean up.
func (c *cluster) leftovers() [][]string {
	out := make([][]string, c.monitors)
	for r, h := range c.hosts {
		if c.k.Up(r) && h.m != nil {
			out[r] = h.m.Leftovers()
		}
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

// resolve maps a fault's node reference: sync-provider-of:N is the monitor
// N is syncing from right now.
func (c *cluster) resolve(ref sim.NodeRef) (int, bool) {
	if ref.Role != RoleSyncProvider || ref.Of < 0 || ref.Of >= c.monitors {
		return 0, false
	}
	if m := c.hosts[ref.Of].m; m != nil && m.SyncProvider() >= 0 {
		return m.SyncProvider(), true
	}
	return 0, false
}

// diskFault tells the checkers about data a fault destroyed on purpose
// where it explains what a repair then does: a wiped main store (or its
// MANIFEST, which is what says a store is there), a damaged repair copy.
func (c *cluster) diskFault(n int, f faultfs.Fault) {
	if !f.Destroys() || n >= c.monitors {
		return
	}
	cfg := c.hosts[n].cfg
	store, _ := cfg.TargetPath(node.TargetStore)
	manifest, _ := cfg.TargetPath(node.TargetManifest)
	if f.Path+"/" == store || f.Path == manifest {
		c.obs.suite.MainStoreGone(n)
	}
	if p, _ := cfg.TargetPath(node.TargetRepairCopy); strings.HasPrefix(f.Path+"/", p) {
		c.obs.suite.CopyDamaged(n)
	}
}

// targetPath turns a plan's target on a monitor into a path prefix on its
// disk, as the monitor's configuration lays it out; on a collector, the
// same zones of its own store.
func (c *cluster) targetPath(n int, t sim.Target) string {
	cfg := node.Config{Dir: c.collectorDir(n)}
	if n < c.monitors {
		cfg = c.hosts[n].cfg
	}
	p, _ := cfg.TargetPath(node.Target(t))
	return p
}

func (c *cluster) collectorDir(n int) string {
	if i := n - c.monitors; i >= 0 && i < len(c.collectors) {
		return c.collectors[i].cfg.StoreDir()
	}
	return ""
}
