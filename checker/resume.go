package checker

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// Resume proves that every resumed full sync ends equal to its provider's
// state at s2, the version of the fault-recovery snapshot it was resumed
// from:
//
//   - the provider is not older than the copy: s2 is at least every
//     version a copied key was taken at (EvSyncResume);
//   - once the requester says its copy is at s2 (EvSyncResumed), the
//     copy's state hash is the state hash of version s2 (the reference the
//     state-hash checker keeps, or else the provider's snapshot's); and its
//     two parts match the provider's snapshot digests (EvResumeProvide)
//     key for key: every key of the failed interval (after the copy's last
//     key) is there and nothing else is (nothing an abandoned attempt, or
//     a batch after s2, left that s2 lacks), and the keys up to the copy's
//     last one hold s2's values (every change from s1 to s2 applied,
//     deletions and prefix deletes included).
//
// It does not prove the versions applied after s2 (the sync, state-hash and
// ledger checkers do), nor that an interrupted sync resumes at all, and it
// judges the parts only when it saw the provider's offer. Digests are sums
// of 64-bit hashes: a change that leaves every sum and count equal goes
// unseen.
type Resume struct {
	ref    func(v uint64) (uint64, bool)
	offers map[offerKey]resumeOffer
	rec    record
}

// offerKey names one resume a provider agreed to.
type offerKey struct {
	provider, requester int
	at                  uint64
	boundary            string
}

type resumeOffer struct {
	hash  uint64
	facts node.ResumeFacts
}

// NewResume returns the resume checker. ref gives the reference state hash
// of a version, if one is known (StateHash.Reference).
func NewResume(ref func(v uint64) (uint64, bool)) *Resume {
	return &Resume{ref: ref, offers: map[offerKey]resumeOffer{}}
}

// Observe feeds one monitor event, at simulated time at.
func (c *Resume) Observe(at int64, ev node.Event) {
	if !validRank(ev.Rank) || ev.Resume == nil {
		return
	}
	f := ev.Resume
	switch ev.Kind {
	case node.EvResumeProvide:
		c.offers[offerKey{ev.Rank, ev.Peer, f.At, f.Boundary}] = resumeOffer{hash: ev.Hash, facts: *f}
	case node.EvSyncResume:
		if f.At < f.Top {
			c.rec.addf(NameResume, ev.Rank, at, "%s: the provider is older than the copy, whose keys were taken up to version %d: they now sit in an older state",
				resumed(ev), f.Top)
		}
	case node.EvSyncResumed:
		c.resumed(at, ev)
	}
}

func (c *Resume) resumed(at int64, ev node.Event) {
	got := ev.Resume
	offer, offered := c.offers[offerKey{ev.Peer, ev.Rank, got.At, got.Boundary}]
	if offered {
		if why := partsDiffer(got, &offer.facts); why != "" {
			c.rec.addf(NameResume, ev.Rank, at, "%s: %s", resumed(ev), why)
			return
		}
	}
	want, how := uint64(0), ""
	if ref, ok := c.ref(ev.Version); ok {
		want, how = ref, "the state hash of version"
	} else if offered {
		want, how = offer.hash, "the provider's snapshot at"
	} else {
		return
	}
	if ev.Hash != want {
		c.rec.addf(NameResume, ev.Rank, at, "%s: the copy's state is %016x, but %s %d is %016x",
			resumed(ev), ev.Hash, how, ev.Version, want)
	}
}

// partsDiffer compares the copy's digests with the provider's snapshot's,
// interval first: it says what is wrong, or "".
func partsDiffer(got, want *node.ResumeFacts) string {
	after := "after " + got.Boundary
	upTo := "up to " + got.Boundary
	gi, wi, gc, wc := got.Interval, want.Interval, got.Copied, want.Copied
	switch {
	case gi.Keys < wi.Keys:
		return fmt.Sprintf("%d key(s) of the failed interval (%s) missing: the copy has %d, the provider's snapshot %d",
			wi.Keys-gi.Keys, after, gi.Keys, wi.Keys)
	case gi.Keys > wi.Keys:
		return fmt.Sprintf("%d key(s) %s that the provider's state at s2 lacks (left by the abandoned attempt, or from a batch after s2): the copy has %d, the snapshot %d",
			gi.Keys-wi.Keys, after, gi.Keys, wi.Keys)
	case gi.Hash != wi.Hash:
		return fmt.Sprintf("the failed interval (%s) holds other values than the provider's state at s2 (%d keys, digest %016x, want %016x): the snapshot was not one version's state",
			after, gi.Keys, gi.Hash, wi.Hash)
	case gc.Keys > wc.Keys:
		return fmt.Sprintf("%d key(s) %s that s2 lacks survive: deletions between s1 and s2 not applied (the copy has %d keys there, the snapshot %d)",
			gc.Keys-wc.Keys, upTo, gc.Keys, wc.Keys)
	case gc.Keys < wc.Keys:
		return fmt.Sprintf("%d key(s) %s that s2 holds are missing: changes between s1 and s2 not applied (the copy has %d keys there, the snapshot %d)",
			wc.Keys-gc.Keys, upTo, gc.Keys, wc.Keys)
	case gc.Hash != wc.Hash:
		return fmt.Sprintf("the keys %s hold other values than at s2 (%d keys, digest %016x, want %016x): changes between s1 and s2 not applied",
			upTo, gc.Keys, gc.Hash, wc.Hash)
	}
	return ""
}

func resumed(ev node.Event) string {
	f := ev.Resume
	s1 := fmt.Sprint(f.Base)
	if f.Base != f.Top {
		s1 = fmt.Sprintf("%d..%d", f.Base, f.Top)
	}
	return fmt.Sprintf("full sync resumed from rank %d (s1=%s, s2=%d, copy ended at %s)", ev.Peer, s1, f.At, f.Boundary)
}

// Violations returns what was found.
func (c *Resume) Violations() []Violation { return c.rec.list }
