package checker

import "github.com/monsim/monsim/node"

// DiskFaults is what a plan does to one monitor's disk, as far as stopping
// the monitor and breaking its store go.
type DiskFaults struct {
	// Fails: I/O errors or a full disk. The monitor may stop on them (its
	// host restarts it), but its store stays what it was: an error says
	// nothing about the data.
	Fails bool
	// Damages: corruption, a wipe or a lying-disk power loss. The store may
	// break, and a repair may follow.
	Damages bool
}

// Stopped proves that a monitor stops, or finds its store unusable, only
// when a fault below it could explain it. A stop needs an injected disk
// error or damage on that monitor's disk; a store taken for broken (a new
// whole-store repair, damaged pages, a page repair falling back) needs
// damage: a monitor that starts a repair because its disk failed to answer
// throws away a store that was fine. Without such a fault, a monitor that
// stops on a store error, a malformed transaction or a version missing from
// its log, or whose store fails to open, is a bug in the monitor or its
// store: honest and torn power losses, crashes and every network fault
// must leave a usable store.
//
// It does not judge the stops a disk fault explains, nor whether a monitor
// comes back (liveness does).
type Stopped struct {
	faults []DiskFaults // rank -> what the plan does to its disk
	rec    record
}

// NewStopped returns the checker; faults[r] says what the plan does to
// rank r's disk.
func NewStopped(faults []DiskFaults) *Stopped { return &Stopped{faults: faults} }

// Observe feeds one event.
func (s *Stopped) Observe(at int64, ev node.Event) {
	f := s.of(ev.Rank)
	switch {
	case ev.Kind == node.EvStoreFailed && !f.Fails && !f.Damages:
		s.rec.addf(NameStopped, ev.Rank, at, "its store failed though the plan injected no disk fault into it: %s", ev.Detail)
	case f.Damages:
	case ev.Kind == node.EvRepairStart && ev.Start == node.RepairFresh:
		s.rec.addf(NameStopped, ev.Rank, at, "it began a whole-store repair though the plan never damaged its disk%s: %s", failedOnly(f), ev.Detail)
	case ev.Kind == node.EvPageDamaged:
		s.rec.addf(NameStopped, ev.Rank, at, "its store opened with page %d damaged though the plan never damaged its disk%s", ev.Page, failedOnly(f))
	case ev.Kind == node.EvPageFallback:
		s.rec.addf(NameStopped, ev.Rank, at, "its store opened with damaged pages though the plan never damaged its disk%s: %s", failedOnly(f), ev.Detail)
	}
}

func failedOnly(f DiskFaults) string {
	if f.Fails {
		return " (it only failed I/O, which breaks no store)"
	}
	return ""
}

// Stop records that rank's monitor stopped on err.
func (s *Stopped) Stop(at int64, rank int, err error) {
	if f := s.of(rank); !f.Fails && !f.Damages {
		s.rec.addf(NameStopped, rank, at, "stopped though the plan injected no disk fault into it: %v", err)
	}
}

func (s *Stopped) of(rank int) DiskFaults {
	if rank >= 0 && rank < len(s.faults) {
		return s.faults[rank]
	}
	return DiskFaults{}
}

// Violations returns what was found.
func (s *Stopped) Violations() []Violation { return s.rec.list }
