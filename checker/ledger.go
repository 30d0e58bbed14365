package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/monsim/monsim/node"
)

// Ledger proves agreement and durability of the paxos history from the
// monitors' events:
//
//   - One value per version, across all monitors and all incarnations: every
//     EvCommit of a version carries the same transaction hash, and the state
//     hash after a version is its fingerprint: a monitor that applies v onto
//     the agreed state at v-1 and reaches another state than the first such
//     monitor did applied another value. (A monitor whose state was already
//     off, by a skipped version, an earlier fork or a sync that copied it
//     wrong, is the sync, state hash and resume checkers' to report; it
//     never sets the reference.)
//   - An acknowledged write is never lost: a version some client was told
//     committed its write never gets a second value, the version had been
//     applied, or recovered at a store's open, somewhere before the client
//     heard of it (persist before send), and at Finish some monitor still
//     holds it.
//   - A monitor's durable lc never goes down except through a marked clear:
//     the lc EvStoreOpen reports is at least the highest version the rank
//     applied since its last EvMarkedClear (a full-sync snapshot chunk, being
//     synced, moves that floor to the chunk's version).
//
// It does not prove that an acknowledged write is visible in a later
// leader's state beyond that version's fingerprint agreeing (the state
// hash check and linearizability cover reads), nor anything about versions
// no event reports. Disk faults the run injects on purpose below the
// monitor (a wiped disk, a lying one) must be announced with StoreLost, or
// they read as lost durability. Hashes are 64-bit, so two different values
// with the same hash would go unnoticed.
type Ledger struct {
	versions   versionTable[ledgerEntry]
	acks       []ackedWrite
	ranks      []ledgerRank
	maxApplied uint64
	rec        record
}

// ledgerEntry is what the ledger knows of one version.
type ledgerEntry struct {
	hasTxn, hasState bool
	conflict         bool // reported already: one report per version
	txn              uint64
	txnRank          int
	txnEpoch         uint64
	state            uint64
	stateRank        int
	stateAt          int64
}

type ackedWrite struct {
	at      int64
	client  int
	reqID   uint64
	version uint64
}

// ledgerRank tracks one monitor.
type ledgerRank struct {
	floor uint64 // highest version durably applied since the last marked clear
	held  uint64 // the lc it holds now
	// last is the version its state is at, agreed whether that state
	// matched the ledger's: only an apply of last+1 onto an agreed state
	// tells a second value; any other mismatch was inherited (a skipped
	// version, an earlier fork) and is the sync and state-hash checkers'.
	last   uint64
	agreed bool
	known  bool // last and agreed are set: the store was opened or cleared
}

// NewLedger returns a ledger for a cluster of the given size (more ranks
// are added as events name them).
func NewLedger(monitors int) *Ledger {
	return &Ledger{ranks: make([]ledgerRank, max(monitors, 0))}
}

// Observe feeds one monitor event, at simulated time at.
func (l *Ledger) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	l.ranks = grow(l.ranks, ev.Rank)
	r := &l.ranks[ev.Rank]
	switch ev.Kind {
	case node.EvCommit:
		l.commit(at, ev)
	case node.EvApply:
		if ev.Mixed {
			r.agreed, r.known = false, true // pages of later versions: no state to judge
		} else {
			l.apply(at, ev, r)
		}
		r.floor, r.held, r.last = max(r.floor, ev.Version), ev.Version, ev.Version
		l.maxApplied = max(l.maxApplied, ev.Version)
	case node.EvPageRepairDone:
		e, ok := l.versions.get(ev.Version)
		r.last, r.agreed, r.known = ev.Version, !ev.Mixed && (!ok || !e.hasState || e.state == ev.Hash), true
	case node.EvStoreOpen:
		if ev.Version < r.floor {
			l.rec.addf(NameLedger, ev.Rank, at, "durable lc went back from %d to %d: the store reopened without a marked clear", r.floor, ev.Version)
		}
		r.floor, r.held = ev.Version, ev.Version
		if ev.Partial { // a copy kept to resume its sync: taken on trust, as its chunks were
			r.last, r.agreed, r.known = ev.Version, true, true
			return
		}
		// A version the store recovered at open is durable, as an apply is:
		// Open makes what it recovered durable before it returns. A version
		// whose apply failed at its fsync may come back this way, and
		// answering a retried write from it is sound: the monitor applies
		// only chosen values.
		l.maxApplied = max(l.maxApplied, ev.Version)
		e, ok := l.versions.get(ev.Version)
		r.last, r.agreed, r.known = ev.Version, !ev.Mixed && (!ok || !e.hasState || e.state == ev.Hash), true
	case node.EvMarkedClear:
		r.floor, r.held, r.last, r.agreed, r.known = 0, 0, 0, true, true
	case node.EvSyncChunk:
		if ev.Full {
			// The provider's snapshot: taken on trust here, checked by the
			// state hash when the sync finishes.
			r.floor, r.held, r.last, r.agreed, r.known = ev.Version, ev.Version, ev.Version, true, true
		}
	case node.EvSyncFinish, node.EvSyncResumed:
		// A sync's report of the state it reached: a copy gone wrong is
		// the sync, state-hash and resume checkers' to report, and its next
		// apply must not read as a second value.
		if ev.Kind == node.EvSyncFinish {
			r.held = ev.Version
		}
		e, ok := l.versions.get(ev.Version)
		r.last, r.agreed, r.known = ev.Version, !ok || !e.hasState || e.state == ev.Hash, true
	}
}

func (l *Ledger) commit(at int64, ev node.Event) {
	e, _ := l.versions.get(ev.Version)
	if !e.hasTxn {
		e.hasTxn, e.txn, e.txnRank, e.txnEpoch = true, ev.Hash, ev.Rank, ev.Epoch
		l.versions.put(ev.Version, e)
		return
	}
	if e.txn == ev.Hash || e.conflict {
		return
	}
	e.conflict = true
	l.versions.put(ev.Version, e)
	l.rec.addf(NameLedger, ev.Rank, at, "two values committed at version %d: txn %016x by rank %d in epoch %d, txn %016x by rank %d in epoch %d%s",
		ev.Version, e.txn, e.txnRank, e.txnEpoch, ev.Hash, ev.Rank, ev.Epoch, l.lostAcks(ev.Version))
}

func (l *Ledger) apply(at int64, ev node.Event, r *ledgerRank) {
	// Only a monitor that applies v onto an agreed state at v-1 speaks
	// for v: it sets the reference, or, disagreeing, proves a fork.
	trusted := !r.known || (r.agreed && r.last+1 == ev.Version)
	r.known = true
	e, _ := l.versions.get(ev.Version)
	if !e.hasState {
		r.agreed = trusted
		if trusted {
			e.hasState, e.state, e.stateRank, e.stateAt = true, ev.Hash, ev.Rank, at
			l.versions.put(ev.Version, e)
		}
		return
	}
	r.agreed = e.state == ev.Hash
	if r.agreed || !trusted || e.conflict {
		return
	}
	e.conflict = true
	l.versions.put(ev.Version, e)
	l.rec.addf(NameLedger, ev.Rank, at, "version %d has two values: state %016x here, %016x on rank %d (applied at t=%s)%s",
		ev.Version, ev.Hash, e.state, e.stateRank, formatTime(e.stateAt), l.lostAcks(ev.Version))
}

// lostAcks names the acknowledged writes a conflict at version v may lose.
// Conflicts are rare, so it scans the acks rather than keeping an index.
func (l *Ledger) lostAcks(v uint64) string {
	var idx []int
	for k := range l.acks {
		if l.acks[k].version == v {
			idx = append(idx, k)
		}
	}
	if len(idx) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("; acknowledged writes at risk:")
	for i, k := range idx {
		if i == 4 {
			fmt.Fprintf(&b, " and %d more", len(idx)-i)
			break
		}
		a := l.acks[k]
		fmt.Fprintf(&b, " client %d request %d", a.client, a.reqID)
	}
	return b.String()
}

// AckedWrite records that client's write reqID was acknowledged as
// committed at version. Call it in time order with Observe (when the
// client receives the reply), so the events before it are already in.
func (l *Ledger) AckedWrite(at int64, client int, reqID, version uint64) {
	l.acks = append(l.acks, ackedWrite{at: at, client: client, reqID: reqID, version: version})
	if version > l.maxApplied {
		l.rec.addf(NameLedger, -1, at, "client %d request %d was acknowledged at version %d, which no monitor had applied (highest applied %d)",
			client, reqID, version, l.maxApplied)
		return
	}
	if e, _ := l.versions.get(version); e.conflict {
		l.rec.addf(NameLedger, -1, at, "client %d request %d was acknowledged at version %d, which has two values (txn %016x / state %016x first seen)",
			client, reqID, version, e.txn, e.state)
	}
}

// StoreLost tells the ledger that rank's disk lost data on purpose (wiped,
// replaced, or a lying disk dropped synced writes), so its durable floor
// starts over.
func (l *Ledger) StoreLost(rank int) {
	if validRank(rank) {
		l.ranks = grow(l.ranks, rank)
		l.ranks[rank].floor = 0
	}
}

// Finish runs the end-of-run check, once: every acknowledged version is
// still held by some monitor. It returns the violations it found.
func (l *Ledger) Finish(at int64) []Violation {
	held, holder := uint64(0), -1
	for i, r := range l.ranks {
		if r.held > held || holder < 0 {
			held, holder = r.held, i
		}
	}
	before := len(l.rec.list)
	for _, a := range l.acks {
		if a.version > held {
			l.rec.addf(NameLedger, -1, at, "acknowledged write lost: client %d request %d committed at version %d (acked at t=%s), but the most any monitor holds is %d (rank %d)",
				a.client, a.reqID, a.version, formatTime(a.at), held, holder)
		}
	}
	return slices.Clone(l.rec.list[before:])
}

// Violations returns what the ledger found so far, in detection order.
func (l *Ledger) Violations() []Violation { return l.rec.list }

// validRank bounds ranks to what a quorum bitmask can name.
func validRank(r int) bool { return r >= 0 && r < 64 }
