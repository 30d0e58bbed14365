package checker

import (
	"testing"

	"github.com/monsim/monsim/collector"
	"github.com/stretchr/testify/require"
)

// fetchWorld is collector 6 holding events 1..2, and 4 past a gap.
func fetchWorld() (*CollectorLog, *Fetch) {
	l := NewCollectorLog()
	commitEvents(l, 9)
	open(l, 1, 0, 0)
	store(l, 2, 2, 1, 2, 4)
	return l, NewFetch(l, 500)
}

func fetchEv(at int64, f *Fetch, peer int, from, to uint64, retry bool) {
	f.ObserveCollector(at, collector.Event{Kind: collector.EvFetch, Collector: 6, Peer: peer, From: from, To: to, Retry: retry})
}

func TestFetchAcceptsAskingExactlyForWhatIsMissingAndRetryingAfterTheTimeout(t *testing.T) {
	_, f := fetchWorld()
	fetchEv(10, f, 1, 3, 3, false)
	fetchEv(510, f, 1, 3, 3, true)
	f.ObserveCollector(520, collector.Event{Kind: collector.EvFetched, Collector: 6, From: 3, To: 3, Count: 1, New: 1})
	fetchEv(530, f, 1, 5, 9, false)
	f.ObserveCollector(531, collector.Event{Kind: collector.EvSession, Collector: 6, Peer: -1})
	fetchEv(540, f, 2, 5, 9, false) // the session moved on: asking the next monitor is a need
	require.Empty(t, f.Violations())
	require.EqualValues(t, 1, f.Fetched)
}

func TestFetchCatchesFetchingWhatIsAlreadyHeld(t *testing.T) {
	_, f := fetchWorld()
	fetchEv(10, f, 1, 3, 5, false)
	require.Len(t, f.Violations(), 1)
	require.Equal(t, NameFetch, f.Violations()[0].Checker)
	require.Contains(t, f.Violations()[0].Reason, "collector 6 fetched event 4 again: it already held it")
}

func TestFetchCatchesAskingAgainWhileTheRequestIsOutstanding(t *testing.T) {
	_, f := fetchWorld()
	fetchEv(10, f, 1, 3, 3, false)
	fetchEv(20, f, 1, 3, 3, false)
	fetchEv(30, f, 1, 3, 3, true)
	require.Len(t, f.Violations(), 2)
	require.Contains(t, f.Violations()[0].Reason, "collector 6 asked monitor 1 for events 3..3 while its request for 3..3 was unanswered")
	require.Contains(t, f.Violations()[1].Reason, "collector 6 asked monitor 1 again for events 3..3 after")
}

func TestFetchCatchesAFullStateItDidNotNeed(t *testing.T) {
	_, f := fetchWorld()
	f.ObserveCollector(10, collector.Event{Kind: collector.EvFetch, Collector: 6, Peer: 1, From: 3, To: 3, Full: true})
	require.Contains(t, f.Violations()[0].Reason, "collector 6 fetched the full state at event 3 though its log reaches event 2")
}
