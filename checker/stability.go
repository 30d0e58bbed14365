package checker

import "github.com/monsim/monsim/node"

// Stability proves that a healed cluster, once converged, stays converged:
// from a given instant on (the harness picks one well into the heal phase,
// with every fault long gone), no monitor leaves its role to probe again,
// calls or joins a new election, or stops. A leader that forgets to renew
// its leases, a timer armed too short, a peon that drops its leader's
// messages: each shows as a cluster that converges, falls apart and
// converges again, which the end-of-run liveness snapshot alone would miss.
//
// It does not prove the cluster converged (liveness does), nor anything
// before the instant it starts watching.
type Stability struct {
	from int64
	rec  record
}

// NewStability watches from simulated time from on.
func NewStability(from int64) *Stability { return &Stability{from: from} }

// Observe feeds one event.
func (s *Stability) Observe(at int64, ev node.Event) {
	if at < s.from {
		return
	}
	switch ev.Kind {
	case node.EvBootstrap:
		s.rec.addf(NameStability, ev.Rank, at, "left its role after the cluster had healed: %s", ev.Detail)
	case node.EvQuorum:
		s.rec.addf(NameStability, ev.Rank, at, "joined a new quorum in epoch %d after the cluster had healed", ev.Epoch)
	case node.EvStoreFailed:
		s.rec.addf(NameStability, ev.Rank, at, "its store failed after the cluster had healed: %s", ev.Detail)
	}
}

// Violations returns what was found.
func (s *Stability) Violations() []Violation { return s.rec.list }
