package checker

import "github.com/monsim/monsim/node"

// Trim proves that a monitor's first_committed (fc, the oldest version it
// keeps) behaves: it only moves forward, across restarts too, unless the
// store is cleared on purpose (a full sync, a repair); it never passes the
// version after lc; and what a monitor says it holds when it answers a
// probe is what its last durable event said. A monitor that reports an fc
// lower than it holds would be asked for versions it no longer has; one
// that loses trimmed versions' bookkeeping across a restart would serve
// or ask for versions below the cluster's first_committed as if they
// existed.
//
// It does not prove that the versions between fc and lc are all present
// (a provider or a collect that meets a hole stops the monitor, which the
// harness reports), nor that trims are replicated alike (the state hash
// covers the replicated keys, not the paxos log).
type Trim struct {
	ranks []trimRank
	rec   record
}

type trimRank struct {
	known  bool
	fc, lc uint64
}

// NewTrim returns the checker for a cluster of the given size.
func NewTrim(monitors int) *Trim { return &Trim{ranks: make([]trimRank, monitors)} }

// Observe feeds one event.
func (t *Trim) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) {
		return
	}
	t.ranks = grow(t.ranks, ev.Rank)
	r := &t.ranks[ev.Rank]
	switch ev.Kind {
	case node.EvStoreOpen:
		if ev.Partial { // a copy kept to resume its sync holds the provider's fc
			r.known = false
			return
		}
		if r.known && ev.FC < r.fc {
			t.rec.addf(NameTrim, ev.Rank, at, "first_committed went back from %d to %d across a restart, without a marked clear", r.fc, ev.FC)
		}
		t.set(at, ev, r, ev.FC, ev.Version)
	case node.EvApply:
		if r.known && ev.FC < r.fc {
			t.rec.addf(NameTrim, ev.Rank, at, "first_committed went back from %d to %d applying version %d", r.fc, ev.FC, ev.Version)
		}
		t.set(at, ev, r, ev.FC, ev.Version)
	case node.EvSyncChunk:
		if ev.Full { // a snapshot install takes the provider's fc
			r.known = false
		}
	case node.EvMarkedClear, node.EvRepairStart:
		*r = trimRank{}
	case node.EvProbeReply:
		if r.known && !ev.Syncing && (ev.FC != r.fc || ev.Version != r.lc) {
			t.rec.addf(NameTrim, ev.Rank, at, "told rank %d it holds versions %d..%d, but its durable state says %d..%d",
				ev.Peer, ev.FC, ev.Version, r.fc, r.lc)
		}
	}
}

func (t *Trim) set(at int64, ev node.Event, r *trimRank, fc, lc uint64) {
	if fc > lc+1 {
		t.rec.addf(NameTrim, ev.Rank, at, "first_committed %d is past last_committed %d", fc, lc)
	}
	*r = trimRank{known: true, fc: fc, lc: lc}
}

// Violations returns what was found.
func (t *Trim) Violations() []Violation { return t.rec.list }
