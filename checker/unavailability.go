package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// Unavailability proves, for a run that breaks stores on purpose beyond
// what the cluster can rebuild, that it stays down rather than start a new
// history: once the given number of monitors (every one, or a majority)
// have begun a whole-store repair of a store that just broke, no monitor
// joins a quorum, commits, or finishes a repair. Every store broken leaves
// no intact copy; a majority broken leaves no majority to vouch for any
// copy: either way a new quorum would build on what it cannot know is the
// whole history (PAR, Protocol-Aware Recovery, Alagappan et al., FAST '18).
//
// It does not prove the cluster could never have recovered (a page repair
// may, repair-scattered shows), and it proves nothing of a run in which
// fewer stores broke; Finish reports such a run as a violation, since the
// plan did not test what the scenario claims.
type Unavailability struct {
	broken    []bool
	need      int  // how many broken stores the check starts at
	allBroken bool // that many broke
	at        int64
	rec       record
}

// NewUnavailability returns the checker for a cluster of the given size,
// starting once every store broke.
func NewUnavailability(monitors int) *Unavailability {
	return &Unavailability{broken: make([]bool, monitors), need: monitors}
}

// StartAt makes the check start once n stores broke (0: all of them).
func (u *Unavailability) StartAt(n int) {
	if n > 0 && n <= len(u.broken) {
		u.need = n
	}
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
	n := 0
	for _, b := range u.broken {
		if b {
			n++
		}
	}
	return n >= u.need
}

// what names the stores that broke, for a reason.
func (u *Unavailability) what() string {
	if u.need == len(u.broken) {
		return "every store broke"
	}
	return fmt.Sprintf("%d of %d stores broke", u.need, len(u.broken))
}

func (u *Unavailability) progress(at int64, rank int, what string, n uint64) {
	if u.allBroken {
		u.rec.addf(NameUnavailability, rank, at, "%s %d after %s at t=%s: a new history began without a majority of intact copies",
			what, n, u.what(), formatTime(u.at))
	}
}

// Finish is the verdict at the end of the run, at simulated time at: the
// violations, or a note saying the cluster stayed unavailable as it must.
func (u *Unavailability) Finish(at int64) ([]Violation, string) {
	if !u.allBroken {
		u.rec.addf(NameUnavailability, -1, at, "the plan did not break %d stores: nothing to check", u.need)
	}
	if len(u.rec.list) > 0 {
		return u.rec.list, ""
	}
	return nil, fmt.Sprintf("%s by t=%s; the cluster stayed unavailable, as it must: no quorum formed and nothing was committed after that, and the %d monitors repairing are still waiting for replies from a majority of intact peers",
		u.what(), formatTime(u.at), u.need)
}
