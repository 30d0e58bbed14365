package checker

import "github.com/monsim/monsim/collector"

// Fetch proves that a collector fetches nothing twice without need: a
// fetch asks only for events its disk does not hold (neither in its log nor
// past a gap), and asks its monitor again only once the earlier request
// went unanswered for the fetch timeout (a lost request or answer) or its
// session with that monitor ended. It counts what was fetched and what was
// needed: the events asked for, and those that arrived new.
//
// It reads what CollectorLog knows of each collector's disk, so it must be
// fed after it. It does not prove that the collector asks for everything it
// misses (the log's gap-freedom and liveness do), nor that monitors answer
// with what was asked (the log checks each event it stores).
type Fetch struct {
	log     *CollectorLog
	timeout int64 // the collectors' fetch timeout
	asks    map[int]*outstandingFetch
	// Fetched counts the events fetch answers carried, Needed those they
	// carried that the collector did not hold yet.
	Fetched, Needed uint64
	rec             record
}

type outstandingFetch struct {
	peer     int
	from, to uint64
	full     bool
	at       int64
}

// NewFetch returns the checker for collectors whose fetch timeout is
// timeout (simulated ns).
func NewFetch(log *CollectorLog, timeout int64) *Fetch {
	return &Fetch{log: log, timeout: timeout, asks: map[int]*outstandingFetch{}}
}

// ObserveCollector feeds one collector event.
func (f *Fetch) ObserveCollector(at int64, ev collector.Event) {
	c := ev.Collector
	switch ev.Kind {
	case collector.EvOpen, collector.EvQuery, collector.EvSession:
		delete(f.asks, c) // a new session or catch-up abandons what was asked
	case collector.EvFetched:
		delete(f.asks, c)
		f.Fetched += ev.Count
		f.Needed += ev.New
	case collector.EvFetch:
		f.fetch(at, c, ev)
	}
}

func (f *Fetch) fetch(at int64, c int, ev collector.Event) {
	if s := f.log.logs[c]; s != nil && !ev.Full {
		for n := ev.From; n <= ev.To; n++ {
			if n <= s.confirmed || s.durable[n] {
				f.rec.addf(NameFetch, c, at, "collector %d fetched event %d again: it already held it", c, n)
				break
			}
		}
	}
	if s := f.log.logs[c]; s != nil && ev.Full && ev.From <= s.confirmed+1 {
		f.rec.addf(NameFetch, c, at, "collector %d fetched the full state at event %d though its log reaches event %d", c, ev.From, s.confirmed)
	}
	if prev := f.asks[c]; prev != nil && prev.peer == ev.Peer && prev.full == ev.Full && ev.From <= prev.to && prev.from <= ev.To {
		switch waited := at - prev.at; {
		case !ev.Retry:
			f.rec.addf(NameFetch, c, at, "collector %d asked monitor %d for events %d..%d while its request for %d..%d was unanswered", c, ev.Peer, ev.From, ev.To, prev.from, prev.to)
		case waited < f.timeout-f.timeout/100: // a margin for the collector's clock drift
			f.rec.addf(NameFetch, c, at, "collector %d asked monitor %d again for events %d..%d after %s, before its fetch timeout", c, ev.Peer, ev.From, ev.To, formatTime(waited))
		}
	}
	f.asks[c] = &outstandingFetch{peer: ev.Peer, from: ev.From, to: ev.To, full: ev.Full, at: at}
}

// Violations returns what was found.
func (f *Fetch) Violations() []Violation { return f.rec.list }
