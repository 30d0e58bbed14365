package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// CollectorFinal is one collector's state in the final snapshot.
type CollectorFinal struct {
	ID         int
	Up         bool   // its process runs
	Registered bool   // its log holds its current session's boot
	Nonce      uint64 // its current session
	Confirmed  uint64 // the last event of its log
}

// CheckCollectorLiveness proves that healed collectors caught up: at time
// at, every collector is up, the committed events record its current
// session up (its return was recorded, once it was back), it knows so from
// its own log, and its log holds every event committed more than bound
// before at. It reads the committed sequence of log.
//
// It does not prove how soon each caught up, only that it did within
// bound of the end.
func CheckCollectorLiveness(log *CollectorLog, at, bound int64, finals []CollectorFinal, note string) []Violation {
	var rec record
	suffix := ""
	if note != "" {
		suffix = " (" + note + ")"
	}
	type session struct {
		up    bool
		nonce uint64
	}
	recorded := map[int]session{}
	var due uint64 // the last event committed by at-bound
	for _, c := range log.committed {
		switch c.ev.Change {
		case node.CollectorBoot:
			recorded[c.ev.Collector] = session{up: true, nonce: c.ev.Nonce}
		case node.CollectorStop:
			recorded[c.ev.Collector] = session{}
		}
		if c.at <= at-bound {
			due = c.ev.Seq
		}
	}
	for _, f := range finals {
		report := func(format string, args ...any) {
			rec.addf(NameLiveness, f.ID, at, "%s%s", fmt.Sprintf(format, args...), suffix)
		}
		switch s := recorded[f.ID]; {
		case !f.Up:
			report("collector %d is down", f.ID)
			continue
		case !s.up || s.nonce != f.Nonce:
			report("collector %d's current session is not recorded up: its return was never recorded", f.ID)
		case !f.Registered:
			report("collector %d's own log does not say its session was recorded up", f.ID)
		}
		if f.Confirmed < due {
			report("collector %d's log ends at event %d, but event %d was committed %s before", f.ID, f.Confirmed, due,
				formatTime(at-log.committed[due-1].at))
		}
	}
	return rec.list
}
