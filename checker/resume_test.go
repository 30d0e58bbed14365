package checker

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/node"
)

func TestResumeAcceptsAHealthyRun(t *testing.T) {
	s := NewSuite(3, nil, 0)
	healthyStory().feed(s)
	require.Empty(t, s.Violations())
}

// Each way a resumed copy can differ from the provider's state at s2 is
// caught and named: the copy ends with 9 keys up to its last one before
// the resume and 5 after it, as the provider's snapshot does.
func TestResumeCatchesACopyThatIsNotTheProvidersStateAtS2(t *testing.T) {
	offer := resumeFacts(16, 16, 18, 9, 5)
	withOffer := func(evs ...node.Event) *story {
		s := (&story{}).add(evApply(0, 18))
		s.add(node.Event{Kind: node.EvResumeProvide, Rank: 0, Peer: 2, Version: 18, FC: 16, Hash: stateAfter(18), Resume: &offer})
		return s.add(evResume(2, 0, 16, 16, 18)).add(evs...)
	}
	copyWith := func(copied, interval node.PartDigest) node.ResumeFacts {
		f := offer
		f.Copied, f.Interval = copied, interval
		return f
	}
	d := func(keys int64, hash uint64) node.PartDigest { return node.PartDigest{Keys: keys, Hash: hash} }
	cases := []struct {
		name   string
		story  *story
		reason string
	}{
		{"a provider older than the copy", (&story{}).add(evResume(2, 0, 16, 20, 18)),
			"full sync resumed from rank 0 (s1=16..20, s2=18, copy ended at kv/k3): the provider is older than the copy, whose keys were taken up to version 20"},
		{"a key of the failed interval missing (resume-skips-boundary)",
			withOffer(evResumed(2, 0, copyWith(offer.Copied, d(4, 1)), 5)),
			"1 key(s) of the failed interval (after kv/k3) missing: the copy has 4, the provider's snapshot 5"},
		{"a key the abandoned attempt left in the failed interval",
			withOffer(evResumed(2, 0, copyWith(offer.Copied, d(6, 1)), 5)),
			"1 key(s) after kv/k3 that the provider's state at s2 lacks (left by the abandoned attempt, or from a batch after s2)"},
		{"a failed interval of another version (resume-no-quiesce)",
			withOffer(evResumed(2, 0, copyWith(offer.Copied, d(5, 1)), 5)),
			"the failed interval (after kv/k3) holds other values than the provider's state at s2"},
		{"a deletion between s1 and s2 not applied (resume-drops-deletes)",
			withOffer(evResumed(2, 0, copyWith(d(10, 1), offer.Interval), 5)),
			"1 key(s) up to kv/k3 that s2 lacks survive: deletions between s1 and s2 not applied"},
		{"a key put between s1 and s2 missing",
			withOffer(evResumed(2, 0, copyWith(d(8, 1), offer.Interval), 5)),
			"1 key(s) up to kv/k3 that s2 holds are missing: changes between s1 and s2 not applied"},
		{"a value changed between s1 and s2 not applied",
			withOffer(evResumed(2, 0, copyWith(d(9, 1), offer.Interval), 5)),
			"the keys up to kv/k3 hold other values than at s2 (9 keys, digest 0000000000000001, want 00000000000002d9)"},
		{"a state unlike the version's, the offer unseen",
			(&story{}).add(evApply(0, 18), evResume(2, 0, 16, 16, 18), evResumed(2, 0, offer, 5)),
			"the copy's state is 0000000000000005, but the state hash of version 18 is " + hex16(stateAfter(18))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewResume(func(v uint64) (uint64, bool) { return stateAfter(v), v == 18 })
			tc.story.feed(c)
			require.Len(t, c.Violations(), 1)
			v := c.Violations()[0]
			require.Equal(t, NameResume, v.Checker)
			require.Equal(t, 2, v.Node)
			require.Contains(t, v.Reason, tc.reason)
		})
	}
}

func hex16(h uint64) string { return fmt.Sprintf("%016x", h) }
