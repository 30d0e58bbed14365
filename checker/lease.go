package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// leaseTolerance absorbs the clock drift between the leader that granted a
// lease and the monitor that reads by it (bounded by the scenarios to well
// under this over a run).
const leaseTolerance = 50_000_000 // 50 ms

// Lease proves the two halves of lease safety:
//
//   - Monitors answer reads only under a lease: a read served in epoch e at
//     time t needs a lease granted by e's leader (EvLease) that is still
//     running at t, and the reader must still be a member of e's quorum.
//   - Leases of different epochs never overlap a commit: a leader commits
//     in epoch e at time t only if no monitor still in an older epoch's
//     quorum may hold a lease of that epoch running past t. Otherwise that
//     monitor, cut off with its lease, could answer a read that misses the
//     commit, though no client need have asked it yet.
//
// It judges from the leader's grants, not from what a reader believed or
// received, so a monitor that forgets to check its lease, or a new leader
// that forgets a lease its voters never heard of, is caught even when no
// stale value happened to be read. A grant counts for the whole quorum
// even if a peon never received it; the protocol must leave room for that.
//
// It does not prove the lease protocol live, nor anything about reads of
// values no commit changed.
type Lease struct {
	granted map[uint64]int64 // epoch -> latest expiry granted
	member  []uint64         // rank -> epoch of the quorum it is in, 0 if none
	rec     record
}

// NewLease returns the checker for a cluster of the given size.
func NewLease(monitors int) *Lease {
	return &Lease{granted: map[uint64]int64{}, member: make([]uint64, monitors)}
}

// Observe feeds one event.
func (l *Lease) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	l.member = grow(l.member, ev.Rank)
	switch ev.Kind {
	case node.EvLease:
		l.granted[ev.Epoch] = max(l.granted[ev.Epoch], ev.Until)
	case node.EvQuorum:
		l.member[ev.Rank] = ev.Epoch
	case node.EvState:
		if !ev.Phase.InQuorum() {
			l.member[ev.Rank] = 0
		}
	case node.EvStoreOpen:
		l.member[ev.Rank] = 0
	case node.EvRead:
		l.read(at, ev)
	case node.EvCommit:
		l.commit(at, ev)
	}
}

// commit checks that every monitor still in an older epoch's quorum can no
// longer hold a lease of it.
func (l *Lease) commit(at int64, ev node.Event) {
	for r, e := range l.member {
		if e == 0 || e >= ev.Epoch {
			continue
		}
		if until := l.granted[e]; until > at+leaseTolerance {
			l.rec.addf(NameLease, ev.Rank, at, "committed version %d in epoch %d while rank %d, still in epoch %d's quorum, may hold a lease of it until t=%s: it could answer a read that misses this commit",
				ev.Version, ev.Epoch, r, e, formatTime(until))
		}
	}
}

func (l *Lease) read(at int64, ev node.Event) {
	if e := l.member[ev.Rank]; e != ev.Epoch {
		l.rec.addf(NameLease, ev.Rank, at, "answered client %d's read in epoch %d without being in that epoch's quorum (%s)",
			ev.Peer, ev.Epoch, memberText(e))
		return
	}
	until, ok := l.granted[ev.Epoch]
	switch {
	case !ok:
		l.rec.addf(NameLease, ev.Rank, at, "answered client %d's read in epoch %d before its leader granted any lease", ev.Peer, ev.Epoch)
	case at > until+leaseTolerance:
		l.rec.addf(NameLease, ev.Rank, at, "answered client %d's read in epoch %d %s after the last lease granted in that epoch expired",
			ev.Peer, ev.Epoch, formatDuration(at-until))
	}
}

func memberText(e uint64) string {
	if e == 0 {
		return "it was in no quorum"
	}
	return fmt.Sprintf("it was in epoch %d's", e)
}

func formatDuration(d int64) string { return fmt.Sprintf("%.3fs", float64(d)/1e9) }

// Violations returns what was found.
func (l *Lease) Violations() []Violation { return l.rec.list }
