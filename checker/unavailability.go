package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// Unavailability proves, for a run that breaks every monitor's store on
// purpose, that the cluster stays down rather than start a new history:
// once every monitor has begun a repair of a store that just broke, no
// monitor joins a quorum, commits, or finishes a repair. With no intact
// copy left, any of those would build on nothing: a cluster whose every
// up-to-date copy is gone must make no progress (PAR, Protocol-Aware
// Recovery, Alagappan et al., FAST '18).
//
// It does not prove the cluster could never have recovered (it could not:
// every copy is gone), and it proves nothing of a run in which some store
// never broke; Finish reports such a run as a violation, since the plan
// did not test what the scenario claims.
type Unavailability struct {
	broken    []bool
	allBroken bool
	at        int64 // when the last store broke
	rec       record
}

// NewUnavailability returns the checker for a cluster of the given size.
func NewUnavailability(monitors int) *Unavailability {
	return &Unavailability{broken: make([]bool, monitors)}
}

// Observe feeds one event.
func (u *Unavailability) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) || ev.Rank >= len(u.broken) {
		return
	}
	switch ev.Kind {
	case node.EvRepairStart:
		if ev.Start.New() && !u.allBroken {
			u.broken[ev.Rank] = true
			u.allBroken, u.at = u.everyStoreBroke(), at
		}
	case node.EvQuorum:
		u.progress(at, ev.Rank, "joined a quorum in epoch", ev.Epoch)
	case node.EvCommit:
		u.progress(at, ev.Rank, "committed version", ev.Version)
	case node.EvRepairSwitched:
		u.progress(at, ev.Rank, "finished a repair at lc", ev.Version)
	}
}

func (u *Unavailability) everyStoreBroke() bool {
	for _, b := range u.broken {
		if !b {
			return false
		}
	}
	return true
}

func (u *Unavailability) progress(at int64, rank int, what string, n uint64) {
	if u.allBroken {
		u.rec.addf(NameUnavailability, rank, at, "%s %d after every store broke at t=%s: a new history began without any intact copy",
			what, n, formatTime(u.at))
	}
}

// Finish is the verdict at the end of the run, at simulated time at: the
// violations, or a note saying the cluster stayed unavailable as it must.
func (u *Unavailability) Finish(at int64) ([]Violation, string) {
	if !u.allBroken {
		u.rec.addf(NameUnavailability, -1, at, "the plan did not break every store: nothing to check")
	}
	if len(u.rec.list) > 0 {
		return u.rec.list, ""
	}
	return nil, fmt.Sprintf("every store broke by t=%s; the cluster stayed unavailable, as it must: no quorum formed and nothing was committed after that, and all %d monitors are still repairing, waiting for replies from a majority of intact peers",
		formatTime(u.at), len(u.broken))
}
