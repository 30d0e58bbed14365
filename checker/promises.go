package checker

import "github.com/monsim/monsim/node"

// Promises proves that what an acceptor acknowledged survives its own
// restarts: a monitor that promised proposal number pn (EvPromise) or
// accepted version v under pn (EvAccept) must, when its store next opens,
// still hold a promise of at least pn, and still hold that accepted value
// (as its pending value, or committed) — unless the store was cleared on
// purpose in between (a full sync's marked clear keeps the promise but may
// drop the pending value; a lost store forgets both and the monitor must
// rejoin as new, which the repair checkers watch).
//
// Paxos is only safe if acceptors keep their word across crashes; a
// monitor that acks before its promise is durable can forget it and let a
// committed value be overwritten. This checker catches the forgetting
// directly, whether or not the run went on to lose data.
//
// It does not check the promises' content against the leader's, nor that
// a monitor refuses lower proposal numbers while it runs.
type Promises struct {
	ranks []promiseState
	rec   record
}

type promiseState struct {
	promised  uint64 // highest pn acknowledged since the last forget
	acceptedV uint64 // last value accepted (0: none outstanding)
	acceptedN uint64
	applied   uint64 // highest version applied
}

// NewPromises returns the checker for a cluster of the given size.
func NewPromises(monitors int) *Promises {
	return &Promises{ranks: make([]promiseState, monitors)}
}

// Observe feeds one event.
func (p *Promises) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	p.ranks = grow(p.ranks, ev.Rank)
	r := &p.ranks[ev.Rank]
	switch ev.Kind {
	case node.EvPromise:
		r.promised = max(r.promised, ev.PN)
	case node.EvAccept:
		r.promised = max(r.promised, ev.PN)
		r.acceptedV, r.acceptedN = ev.Version, ev.PN
	case node.EvApply:
		r.applied = max(r.applied, ev.Version)
	case node.EvMarkedClear:
		r.acceptedV, r.acceptedN, r.applied = 0, 0, 0
	case node.EvStoreOpen:
		p.reopened(at, ev, r)
	}
}

func (p *Promises) reopened(at int64, ev node.Event, r *promiseState) {
	if ev.PN < r.promised {
		p.rec.addf(NamePromises, ev.Rank, at,
			"promise forgotten: acknowledged pn %d before the restart, the store now holds pn %d", r.promised, ev.PN)
	}
	if r.acceptedV > max(ev.Version, r.applied) && ev.Version < r.acceptedV &&
		(ev.Pending != r.acceptedV || ev.PendingPN < r.acceptedN) {
		p.rec.addf(NamePromises, ev.Rank, at,
			"accepted value forgotten: acked version %d under pn %d before the restart, the store now holds lc %d and pending %d (pn %d)",
			r.acceptedV, r.acceptedN, ev.Version, ev.Pending, ev.PendingPN)
	}
	r.promised = max(r.promised, ev.PN)
	r.acceptedV, r.acceptedN, r.applied = 0, 0, ev.Version
	if ev.Pending > ev.Version {
		r.acceptedV, r.acceptedN = ev.Pending, ev.PendingPN
	}
}

// Forget tells the checker rank lost its store on purpose: its old
// promises are gone and it must not rely on them.
func (p *Promises) Forget(rank int) {
	if validRank(rank) {
		p.ranks = grow(p.ranks, rank)
		p.ranks[rank] = promiseState{}
	}
}

// Violations returns what was found.
func (p *Promises) Violations() []Violation { return p.rec.list }
