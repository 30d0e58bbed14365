package checker

import (
	"slices"

	"github.com/monsim/monsim/node"
)

// Cluster runs every checker that reads the monitors' event stream (the
// ledger, the state hash and the sync invariants) and keeps their
// violations in the order they were detected. The harness feeds it every
// event, in order, as the run goes; linearizability and liveness run after
// the run, from the client histories and the final snapshot.
//
// It proves nothing of its own: see each checker's comment. A forked
// history shows in both the ledger and the state hash; the ledger's report
// comes first.
type Cluster struct {
	ledger *Ledger
	hashes *StateHash
	sync   *SyncInvariants
	prom   *Promises
	lease  *Lease
	repair *Repair
	all    []Violation
}

// NewCluster returns the event checkers for a cluster of the given size.
func NewCluster(monitors int) *Cluster {
	return &Cluster{
		ledger: NewLedger(monitors),
		hashes: NewStateHash(monitors),
		sync:   NewSyncInvariants(monitors),
		prom:   NewPromises(monitors),
		lease:  NewLease(monitors),
		repair: NewRepair(monitors),
	}
}

// Observe feeds one monitor event, at simulated time at, to every checker.
// It allocates nothing on the common path.
func (c *Cluster) Observe(at int64, ev node.Event) {
	nl, nh, ns := len(c.ledger.rec.list), len(c.hashes.rec.list), len(c.sync.rec.list)
	np, nq, nr := len(c.prom.rec.list), len(c.lease.rec.list), len(c.repair.rec.list)
	if ev.Kind == node.EvRepairStart {
		// The broken store's promises and durable lc go with it, on purpose.
		c.StoreLost(ev.Rank)
	}
	c.ledger.Observe(at, ev)
	c.hashes.Observe(at, ev)
	c.sync.Observe(at, ev)
	c.prom.Observe(at, ev)
	c.lease.Observe(at, ev)
	c.repair.Observe(at, ev)
	c.collect(nl, nh, ns)
	c.all = append(c.all, c.repair.rec.list[nr:]...)
	c.all = append(c.all, c.prom.rec.list[np:]...)
	c.all = append(c.all, c.lease.rec.list[nq:]...)
}

// AckedWrite records that client's write reqID was acknowledged as
// committed at version, at simulated time at.
func (c *Cluster) AckedWrite(at int64, client int, reqID, version uint64) {
	n := len(c.ledger.rec.list)
	c.ledger.AckedWrite(at, client, reqID, version)
	c.all = append(c.all, c.ledger.rec.list[n:]...)
}

// StoreLost tells the checkers that rank's disk lost data on purpose (see
// Ledger.StoreLost).
func (c *Cluster) StoreLost(rank int) {
	c.ledger.StoreLost(rank)
	c.prom.Forget(rank)
}

// Boot reports, at a monitor's restart, whether its disk holds a complete
// main store (see Repair.Boot).
func (c *Cluster) Boot(at int64, rank int, mainStore bool) {
	n := len(c.repair.rec.list)
	c.repair.Boot(at, rank, mainStore)
	c.all = append(c.all, c.repair.rec.list[n:]...)
}

// Finish runs the end-of-run checks at simulated time at and returns what
// they found (also added to Violations).
func (c *Cluster) Finish(at int64) []Violation {
	found := c.ledger.Finish(at)
	c.all = append(c.all, found...)
	return found
}

// Violations returns everything found so far, in detection order.
func (c *Cluster) Violations() []Violation { return slices.Clip(c.all) }

// Dropped is how many violations went unrecorded because a checker had
// already recorded its maximum.
func (c *Cluster) Dropped() int {
	return c.ledger.rec.dropped + c.hashes.rec.dropped + c.sync.rec.dropped + c.prom.rec.dropped + c.lease.rec.dropped + c.repair.rec.dropped
}

func (c *Cluster) collect(nl, nh, ns int) {
	if len(c.ledger.rec.list) == nl && len(c.hashes.rec.list) == nh && len(c.sync.rec.list) == ns {
		return
	}
	c.all = append(c.all, c.ledger.rec.list[nl:]...)
	c.all = append(c.all, c.hashes.rec.list[nh:]...)
	c.all = append(c.all, c.sync.rec.list[ns:]...)
}
