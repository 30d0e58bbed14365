package checker

import (
	"testing"

	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// tableAfter stands for the committed collector table's hash after event n.
func tableAfter(n uint64) uint64 { return n*0x9e3779b97f4a7c15 + 7 }

// statusEvent is event n: collector 9's status, which changes each time.
func statusEvent(n uint64) node.CollectorEvent {
	return node.CollectorEvent{Seq: n, Collector: 9, Change: node.CollectorStatus, Inc: 1, Status: n}
}

// commitEvents has monitor 0 apply events 1..n.
func commitEvents(l *CollectorLog, n uint64) {
	for s := uint64(1); s <= n; s++ {
		l.Observe(int64(s), node.Event{Kind: node.EvRecorded, Rank: 0, Hash: tableAfter(s), Record: statusEvent(s)})
	}
}

// store has collector 6 store events (intent, then durable) and confirm
// the log's end.
func store(l *CollectorLog, at int64, confirmed uint64, seqs ...uint64) {
	for _, s := range seqs {
		l.ObserveCollector(at, collector.Event{Kind: collector.EvStoring, Collector: 6, Seq: s, Record: statusEvent(s)})
	}
	for _, s := range seqs {
		l.ObserveCollector(at, collector.Event{Kind: collector.EvStored, Collector: 6, Seq: s, Record: statusEvent(s), Ahead: s > confirmed})
	}
	l.ObserveCollector(at, collector.Event{Kind: collector.EvConfirmed, Collector: 6, Seq: confirmed, Hash: tableAfter(confirmed)})
}

func open(l *CollectorLog, at int64, confirmed, base uint64) {
	l.ObserveCollector(at, collector.Event{Kind: collector.EvOpen, Collector: 6, Confirmed: confirmed, Base: base, Hash: tableAfter(confirmed)})
}

func TestCollectorLogAcceptsAGapFilledAfterARestart(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 6)
	open(l, 10, 0, 0)
	store(l, 11, 2, 1, 2)
	store(l, 12, 2, 4) // 3 was lost on the way: 4 waits past the gap
	open(l, 13, 2, 0)  // a power cut; 4 is found on disk again
	l.ObserveCollector(13, collector.Event{Kind: collector.EvStored, Collector: 6, Seq: 4, Record: statusEvent(4), Ahead: true})
	store(l, 14, 4, 3)
	require.Empty(t, l.Violations())
}

func TestCollectorLogCatchesAResumePastAnEventNeverStored(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 6)
	open(l, 10, 0, 0)
	store(l, 11, 2, 1, 2)
	store(l, 12, 2, 4)
	open(l, 13, 4, 0) // resumed after the last event it stored: 3 is lost for good
	require.Len(t, l.Violations(), 1)
	require.Equal(t, NameCollectorLog, l.Violations()[0].Checker)
	require.Contains(t, l.Violations()[0].Reason, "collector 6 resumed after event 4 but never stored event 3: that event is lost for good")
}

func TestCollectorLogCatchesAConfirmationOverAGap(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 6)
	open(l, 10, 0, 0)
	store(l, 11, 2, 1, 2)
	store(l, 12, 6, 5, 6) // skipped 3 and 4, as if trimmed events were held
	require.Len(t, l.Violations(), 1)
	require.Contains(t, l.Violations()[0].Reason, "collector 6 confirmed event 6 but never stored event 3: its log has a gap")
}

func TestCollectorLogCatchesAConfirmedEventLostAcrossARestart(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 6)
	open(l, 10, 0, 0)
	store(l, 11, 3, 1, 2, 3)
	open(l, 12, 2, 0)
	require.Contains(t, l.Violations()[0].Reason, "collector 6 restarted at event 2, but had confirmed event 3: a confirmed event was lost")
}

func TestCollectorLogCatchesAStoredEventThatIsNotTheCommittedOne(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 3)
	open(l, 10, 0, 0)
	wrong := statusEvent(2)
	wrong.Status = 99
	l.ObserveCollector(11, collector.Event{Kind: collector.EvStored, Collector: 6, Seq: 2, Record: wrong})
	require.Contains(t, l.Violations()[0].Reason, "collector 6 stored event 2 (status of collector 9, incarnation 1), which is not committed event 2")
}

func TestCollectorLogCatchesATableThatIsNotTheCommittedOne(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 3)
	open(l, 10, 0, 0)
	l.ObserveCollector(11, collector.Event{Kind: collector.EvStored, Collector: 6, Seq: 1, Record: statusEvent(1)})
	l.ObserveCollector(11, collector.Event{Kind: collector.EvConfirmed, Collector: 6, Seq: 1, Hash: 5})
	require.Contains(t, l.Violations()[0].Reason, "collector 6's table after event 1 is 0000000000000005")
}

func TestCollectorLogTakesAFullStateAheadOfTheLogOnly(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 9)
	open(l, 10, 0, 0)
	store(l, 11, 2, 1, 2)
	l.ObserveCollector(12, collector.Event{Kind: collector.EvInstalling, Collector: 6, Seq: 6})
	l.ObserveCollector(12, collector.Event{Kind: collector.EvFullState, Collector: 6, Seq: 6, Hash: tableAfter(6)})
	store(l, 13, 7, 7)
	open(l, 14, 7, 6)
	require.Empty(t, l.Violations())
	l.ObserveCollector(15, collector.Event{Kind: collector.EvFullState, Collector: 6, Seq: 5, Hash: tableAfter(5)})
	require.Contains(t, l.Violations()[0].Reason, "collector 6 replaced its log up to event 7 by a full state at event 5")
}

func TestCollectorLogCatchesTwoEventsWithOneNumber(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 2)
	other := statusEvent(2)
	other.Collector = 8
	l.Observe(5, node.Event{Kind: node.EvRecorded, Rank: 3, Hash: tableAfter(2), Record: other})
	require.Contains(t, l.Violations()[0].Reason, "two events numbered 2")
	l.Observe(6, node.Event{Kind: node.EvRecorded, Rank: 0, Hash: tableAfter(4), Record: statusEvent(4)})
	require.Contains(t, l.Violations()[1].Reason, "monitor 0 applied collector event 4 after event 2")
}

// A monitor that reopens its store resumes its event sequence from what the
// store recovered, which no event reported: pages installed ahead (their
// page-installed event lost in a power cut), or a version whose fsync
// failed but that the log held all the same. Between reopens the sequence
// must still be gap-free.
func TestCollectorLogRestartsAMonitorsSequenceAtAStoreOpen(t *testing.T) {
	l := NewCollectorLog()
	commitEvents(l, 6)
	l.Observe(7, node.Event{Kind: node.EvStoreOpen, Rank: 0, Mixed: true})
	l.Observe(8, node.Event{Kind: node.EvRecorded, Rank: 0, Hash: tableAfter(4), Record: statusEvent(4)})
	l.Observe(9, node.Event{Kind: node.EvStoreOpen, Rank: 0})
	l.Observe(10, node.Event{Kind: node.EvRecorded, Rank: 0, Hash: tableAfter(6), Record: statusEvent(6)})
	require.Empty(t, l.Violations())
	l.Observe(11, node.Event{Kind: node.EvRecorded, Rank: 0, Hash: tableAfter(4), Record: statusEvent(4)})
	require.Contains(t, l.Violations()[0].Reason, "monitor 0 applied collector event 4 after event 6")
}
