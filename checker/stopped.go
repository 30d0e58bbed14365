package checker

import "github.com/monsim/monsim/node"

// Stopped proves that a monitor stops, or finds its store unusable, only
// when a fault below it could explain it: the plan injected a disk error
// (EIO, ENOSPC), a corruption or a lying-disk power loss into that
// monitor's disk. Without one, a monitor that stops on a store error, a
// malformed transaction or a version missing from its log, or whose store
// fails to open, is a bug in the monitor or its store: honest and torn
// power losses, crashes and every network fault must leave a usable store.
//
// It does not judge the stops a disk fault explains, nor whether a monitor
// comes back (liveness does).
type Stopped struct {
	explained []bool // rank -> the plan damages or fails its disk
	rec       record
}

// NewStopped returns the checker; explained[r] says the plan injects a
// fault into rank r's disk that may break or stop its store.
func NewStopped(explained []bool) *Stopped { return &Stopped{explained: explained} }

// Observe feeds one event.
func (s *Stopped) Observe(at int64, ev node.Event) {
	switch {
	case s.isExplained(ev.Rank):
	case ev.Kind == node.EvStoreFailed:
		s.rec.addf(NameStopped, ev.Rank, at, "its store failed though the plan injected no disk fault into it: %s", ev.Detail)
	case ev.Kind == node.EvPageDamaged:
		s.rec.addf(NameStopped, ev.Rank, at, "its store opened with page %d damaged though the plan injected no disk fault into it", ev.Page)
	case ev.Kind == node.EvPageFallback:
		s.rec.addf(NameStopped, ev.Rank, at, "its store opened with damaged pages though the plan injected no disk fault into it: %s", ev.Detail)
	}
}

// Stop records that rank's monitor stopped on err.
func (s *Stopped) Stop(at int64, rank int, err error) {
	if !s.isExplained(rank) {
		s.rec.addf(NameStopped, rank, at, "stopped though the plan injected no disk fault into it: %v", err)
	}
}

func (s *Stopped) isExplained(rank int) bool {
	return rank >= 0 && rank < len(s.explained) && s.explained[rank]
}

// Violations returns what was found.
func (s *Stopped) Violations() []Violation { return s.rec.list }
