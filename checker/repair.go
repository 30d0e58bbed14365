package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// Repair proves the self-repair protocol's own invariants, from the repair
// events and what the harness sees on disk at each boot:
//
//   - the mark moves only started -> completed -> removed: a restart may
//     resume a repair where its mark says, never from an earlier state, and
//     a switch that finished never comes undone (a store.repair found again
//     after the mark was deleted means the rename was not durable);
//   - "completed" vouches for data that is durable: the store the switch
//     opens holds exactly the lc and state the completed mark vouched for;
//   - switch atomicity: after every crash a complete store exists — the
//     main store, unless the mark already said completed;
//   - a repairing monitor never votes, promises, accepts, joins a quorum,
//     answers a probe, answers a read or provides a sync;
//   - the sync source is at least as new as a majority of the other
//     monitors were when the repair (re)started.
//
// It does not prove the repaired state right (the ledger and state hash do)
// nor that a repair finishes (liveness does).
type Repair struct {
	ranks []repairRank
	lc    []uint64 // each rank's durable lc as the events report it
	rec   record
}

type repairPhase uint8

const (
	repairNone repairPhase = iota
	repairStarted
	repairCompleted
	repairSwitched
)

var repairPhaseNames = [...]string{"none", "started", "completed", "switched"}

type repairRank struct {
	mainGone  bool // its main store was wiped on purpose, and no repair has switched since
	copyHit   bool // the repair's copy was damaged on purpose since the last repair start
	phase     repairPhase
	vouchLC   uint64
	vouchHash uint64
	startLCs  []uint64
}

// NewRepair returns the checker for a cluster of the given size.
func NewRepair(monitors int) *Repair {
	return &Repair{ranks: make([]repairRank, monitors), lc: make([]uint64, monitors)}
}

// Observe feeds one event.
func (c *Repair) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	c.ranks, c.lc = grow(c.ranks, ev.Rank), grow(c.lc, ev.Rank)
	r := &c.ranks[ev.Rank]
	switch ev.Kind {
	case node.EvStoreOpen:
		c.lc[ev.Rank] = ev.Version
		if !ev.Copy {
			c.openedMain(at, ev, r)
		}
	case node.EvApply:
		c.lc[ev.Rank] = ev.Version
	case node.EvSyncChunk:
		if ev.Full {
			c.lc[ev.Rank] = ev.Version
		}
	case node.EvMarkedClear:
		c.lc[ev.Rank] = 0
	case node.EvRepairStart:
		c.started(at, ev, r)
	case node.EvRepairSource:
		c.source(at, ev, r)
	case node.EvRepairCompleted:
		if r.phase != repairStarted {
			c.rec.addf(NameRepair, ev.Rank, at, "mark set to completed from %s, not from started", repairPhaseNames[r.phase])
		}
		r.phase, r.vouchLC, r.vouchHash = repairCompleted, ev.Version, ev.Hash
	case node.EvRepairSwitched:
		c.switched(at, ev, r)
	case node.EvVote, node.EvPromise, node.EvAccept, node.EvQuorum, node.EvProbeReply, node.EvRead, node.EvProvide,
		node.EvResumeProvide:
		if r.phase == repairStarted || r.phase == repairCompleted {
			c.rec.addf(NameRepair, ev.Rank, at, "a repairing monitor %s (mark %s)", doing(ev), repairPhaseNames[r.phase])
		}
	}
}

func (c *Repair) started(at int64, ev node.Event, r *repairRank) {
	bad := ""
	switch {
	case ev.Start.New():
		if (r.phase == repairStarted || r.phase == repairCompleted) && !r.copyHit {
			bad = "a repair whose mark said " + repairPhaseNames[r.phase] + " started over from nothing"
		}
		r.phase = repairStarted
	case ev.Start == node.RepairResumedUnmarked:
		// Damage to the copy may take its mark with it (a flipped bit in
		// the log record that held it); never after the switch, when
		// store.repair should not exist at all.
		if r.phase != repairNone && (!r.copyHit || r.phase == repairSwitched) {
			bad = "store.repair came back without its mark after the mark said " + repairPhaseNames[r.phase]
			if r.phase == repairSwitched {
				bad = "the switch was not durable: after a restart store.repair was back, without its mark"
			}
		}
		r.phase = repairStarted
	// A resume may find the mark one step ahead of what was reported: power
	// can fail after the mark is durable and before the monitor says so.
	// It may never find it behind.
	case ev.Start == node.RepairResumedCompleted:
		if r.phase != repairStarted && r.phase != repairCompleted {
			bad = "resumed a switch from a completed mark, but the mark said " + repairPhaseNames[r.phase]
		}
		r.phase, r.vouchLC, r.vouchHash = repairCompleted, ev.Version, ev.Hash
	default: // resumed from a started mark
		if r.phase != repairNone && r.phase != repairStarted {
			bad = "resumed from a started mark, but the mark said " + repairPhaseNames[r.phase]
		}
		r.phase = repairStarted
	}
	if bad != "" {
		c.rec.addf(NameRepair, ev.Rank, at, "mark lifecycle: %s", bad)
	}
	if ev.Start.New() || ev.Start == node.RepairResumedUnmarked {
		r.copyHit = false // the repair starting over answers the damage
	}
	r.startLCs = append(r.startLCs[:0], c.lc...)
}

func (c *Repair) source(at int64, ev node.Event, r *repairRank) {
	others, older := 0, 0
	for rank, lc := range r.startLCs {
		if rank == ev.Rank {
			continue
		}
		others++
		if lc <= ev.Version {
			older++
		}
	}
	if need := others/2 + 1; older < need {
		c.rec.addf(NameRepair, ev.Rank, at, "sync source rank %d at lc %d is newer than only %d of the %d other monitors (lcs at repair start %v; %s)",
			ev.Peer, ev.Version, older, others, r.startLCs, ev.Detail)
	}
}

// openedMain judges a boot into the main store. After a completed mark it
// means the switch finished even if power failed before it was reported;
// after a started mark it means the repair copy vanished.
func (c *Repair) openedMain(at int64, ev node.Event, r *repairRank) {
	switch r.phase {
	case repairCompleted:
		c.switched(at, ev, r)
	case repairStarted:
		c.rec.addf(NameRepair, ev.Rank, at, "mark lifecycle: opened the main store as usual while the repair mark said started")
		r.phase = repairNone
	}
}

func (c *Repair) switched(at int64, ev node.Event, r *repairRank) {
	if r.phase != repairCompleted {
		c.rec.addf(NameRepair, ev.Rank, at, "switched stores with the mark at %s, not completed", repairPhaseNames[r.phase])
	}
	if ev.Version != r.vouchLC || (r.vouchHash != 0 && ev.Hash != r.vouchHash) {
		c.rec.addf(NameRepair, ev.Rank, at, "the completed mark vouched for lc %d (state %016x) but the switched store holds lc %d (state %016x): completed was durable before the data",
			r.vouchLC, r.vouchHash, ev.Version, ev.Hash)
	}
	r.phase, r.mainGone = repairSwitched, false
}

// MainStoreGone tells the checker that rank's main store was wiped on
// purpose: until a repair switches stores, its absence at a boot is the
// damage, not a switch that came undone.
func (c *Repair) MainStoreGone(rank int) {
	if validRank(rank) {
		c.ranks = grow(c.ranks, rank)
		c.ranks[rank].mainGone = true
	}
}

// CopyDamaged tells the checker that the copy rank's repair is building
// was damaged on purpose: the repair may throw it away and start over.
func (c *Repair) CopyDamaged(rank int) {
	if validRank(rank) {
		c.ranks = grow(c.ranks, rank)
		c.ranks[rank].copyHit = true
	}
}

// Boot reports what the harness found on rank's disk when it restarted
// (not at its first boot): whether a complete main store exists.
func (c *Repair) Boot(at int64, rank int, mainStore bool) {
	if !validRank(rank) {
		return
	}
	c.ranks = grow(c.ranks, rank)
	if p := c.ranks[rank].phase; !mainStore && p != repairCompleted && !c.ranks[rank].mainGone {
		c.rec.addf(NameRepair, rank, at, "switch atomicity: after a crash no complete store existed (the main store is gone, the repair mark said %s)",
			repairPhaseNames[p])
	}
}

func doing(ev node.Event) string {
	switch ev.Kind {
	case node.EvVote:
		return fmt.Sprintf("voted for rank %d in epoch %d", ev.Peer, ev.Epoch)
	case node.EvPromise:
		return fmt.Sprintf("promised pn %d", ev.PN)
	case node.EvAccept:
		return fmt.Sprintf("accepted version %d", ev.Version)
	case node.EvQuorum:
		return fmt.Sprintf("joined a quorum in epoch %d", ev.Epoch)
	case node.EvProbeReply:
		return fmt.Sprintf("answered a probe from rank %d", ev.Peer)
	case node.EvRead:
		return fmt.Sprintf("answered client %d's read", ev.Peer)
	case node.EvCommit:
		return fmt.Sprintf("committed version %d", ev.Version)
	case node.EvClientReply:
		return fmt.Sprintf("answered client %d", ev.Peer)
	case node.EvResumeProvide:
		return fmt.Sprintf("agreed to resume rank %d's full sync", ev.Peer)
	}
	return fmt.Sprintf("provided a sync chunk to rank %d", ev.Peer)
}

// Violations returns what was found.
func (c *Repair) Violations() []Violation { return c.rec.list }
