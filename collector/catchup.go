package collector

import (
	"maps"
	"slices"

	"github.com/monsim/monsim/node"
)

// Catch-up: ask what follows the last confirmed event, work out what is
// missing, request exactly that (doc.go). One query or fetch is
// outstanding at a time, to the session's monitor; an answer from anyone
// else, or to an earlier request, is dropped.

type cuState uint8

const (
	idle     cuState = iota
	querying         // asked what follows the log
	fetching         // asked for from..to, or the full state
)

type catchup struct {
	state       cuState
	first, last uint64 // the events the monitor holds, from its summary
	from, to    uint64 // the outstanding fetch
	full        bool   // ...is for the full state
}

// highest is the newest event stored, in the log or past a gap.
func (c *Collector) highest() uint64 {
	h := c.confirmed
	for s := range c.ahead { //detlint:order-independent a maximum
		h = max(h, s)
	}
	return h
}

// startCatchup is step 1: what follows my last confirmed event?
func (c *Collector) startCatchup() {
	c.cu = catchup{state: querying}
	c.send(c.sess.target, &node.Msg{Type: node.MColQuery, LC: c.confirmed})
	c.emit(Event{Kind: EvQuery, Peer: c.sess.target, Confirmed: c.confirmed})
	c.arm(tFetch, c.cfg.FetchTimeout)
}

// answers says whether msg answers the outstanding query or fetch, sent to
// the session's monitor; an answer to an earlier request, or from an
// earlier session, is dropped.
func (c *Collector) answers(msg *node.Msg) bool {
	ok := msg.From == c.sess.target
	switch msg.Type {
	case node.MColSummary:
		ok = ok && c.cu.state == querying
	case node.MColEvents:
		ok = ok && c.cu.state == fetching && msg.Has(node.FlagFull) == c.cu.full &&
			(len(msg.Versions) == 0 || msg.Versions[0].V == c.cu.from)
	}
	if !ok {
		c.reached(ProbeStaleReply)
	}
	return ok
}

func (c *Collector) onSummary(msg *node.Msg) {
	if !c.answers(msg) {
		return
	}
	c.cu.first, c.cu.last = msg.FC, msg.LC
	c.next(false)
}

// next is steps 2 and 3: the log misses every event after its last one up
// to the last the monitor holds, except those stored past a gap; it
// requests the first run of them, or, if the monitors trimmed the one it
// needs next, the full state at the first they hold. retry says the
// request replaces one that went unanswered.
func (c *Collector) next(retry bool) {
	if c.cu.last <= c.confirmed {
		c.cu = catchup{}
		c.disarm(tFetch)
		c.emit(Event{Kind: EvCaughtUp, Seq: c.confirmed})
		return
	}
	a := c.confirmed + 1
	if c.cu.first > a {
		if !c.cfg.Bugs.TrimmedGapSkipped {
			c.request(c.cu.first, c.cu.first, true, retry)
			return
		}
		c.confirmed, a = c.cu.first-1, c.cu.first // the bug: on as if the trimmed events were held
	}
	b := a
	for b < c.cu.last && b-a+1 < uint64(c.cfg.FetchMax) {
		if _, stored := c.ahead[b+1]; stored {
			break
		}
		b++
	}
	c.request(a, b, false, retry)
}

func (c *Collector) request(from, to uint64, full, retry bool) {
	c.cu.state, c.cu.from, c.cu.to, c.cu.full = fetching, from, to, full
	msg := node.Msg{Type: node.MColFetch, FC: from, LC: to}
	if full {
		msg.Flags = node.FlagFull
	}
	c.send(c.sess.target, &msg)
	c.emit(Event{Kind: EvFetch, Peer: c.sess.target, From: from, To: to, Full: full, Retry: retry, Confirmed: c.confirmed})
	c.arm(tFetch, c.cfg.FetchTimeout)
	c.env.Point(PointFetching)
}

// retry sends an unanswered query again, or asks again for what an
// unanswered fetch was for and is still missing.
func (c *Collector) retry() {
	c.reached(ProbeFetchRetried)
	if c.cu.state == querying {
		c.startCatchup()
		return
	}
	c.next(true)
}

// onEvents takes a fetch's answer.
func (c *Collector) onEvents(msg *node.Msg) {
	if !c.answers(msg) {
		return
	}
	if msg.Has(node.FlagFull) {
		table, err := node.DecodeCollectorTable(msg.Value)
		if err != nil || table.Hash() != msg.Hash {
			return // checksummed, yet not a table: never trusted
		}
		c.emit(Event{Kind: EvFetched, Peer: msg.From, From: msg.FC, To: msg.FC, Full: true, Count: 1, New: 1})
		if c.install(msg.FC, table) {
			c.next(false)
		}
		return
	}
	evs, ok := c.decodeEvents(msg.Versions)
	if !ok {
		return
	}
	if len(evs) == 0 {
		// Trimmed since the summary (or never held): ask again.
		c.reached(ProbeAskedAgain)
		c.emit(Event{Kind: EvFetched, Peer: msg.From, From: c.cu.from, To: c.cu.to})
		c.startCatchup()
		return
	}
	n, ok := c.take(evs)
	if !ok {
		return
	}
	c.emit(Event{Kind: EvFetched, Peer: msg.From, From: c.cu.from, To: c.cu.to, Count: uint64(len(evs)), New: uint64(n)})
	c.next(false)
}

// onPush takes events the session's monitor applied.
func (c *Collector) onPush(msg *node.Msg) {
	if msg.From != c.sess.target || !c.sess.online {
		return
	}
	evs, ok := c.decodeEvents(msg.Versions)
	if !ok {
		return
	}
	if c.cu.state != idle {
		c.reached(ProbePushWhileBehind)
	}
	c.take(evs)
}

func (c *Collector) decodeEvents(vs []node.Version) ([]node.CollectorEvent, bool) {
	out := make([]node.CollectorEvent, 0, len(vs))
	for _, v := range vs {
		ev, err := node.DecodeCollectorEvent(v.Value)
		if err != nil || ev.Seq != v.V {
			return nil, false // checksummed, yet not an event: never trusted
		}
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b node.CollectorEvent) int { return int(a.Seq) - int(b.Seq) })
	return out, true
}

// take stores the events it does not hold yet, extends the log through
// those that follow it without a gap, and, if a gap remains open, sets out
// to fill it. It returns how many it stored; false if the store failed.
func (c *Collector) take(evs []node.CollectorEvent) (int, bool) {
	var fresh []node.CollectorEvent
	for _, ev := range evs {
		_, held := c.ahead[ev.Seq]
		if ev.Seq <= c.confirmed || held || (len(fresh) > 0 && fresh[len(fresh)-1].Seq == ev.Seq) {
			c.reached(ProbeDuplicate)
			continue
		}
		fresh = append(fresh, ev)
	}
	if len(fresh) == 0 {
		return 0, true
	}
	conf, i := c.confirmed, 0
	for {
		if i < len(fresh) && fresh[i].Seq == conf+1 {
			conf, i = conf+1, i+1
		} else if _, ok := c.ahead[conf+1]; ok {
			conf++
		} else {
			break
		}
	}
	if !c.persist(fresh, conf) {
		return 0, false
	}
	for _, ev := range fresh {
		c.ahead[ev.Seq] = ev
	}
	c.env.Point(PointStored)
	c.advance(conf)
	if len(c.ahead) > 0 {
		c.reached(ProbeStoredAhead)
		c.env.Point(PointStoredAhead)
		c.cu.last = max(c.cu.last, c.highest())
		if c.cu.state == idle {
			c.cu.first = c.sess.first
			c.next(false)
		}
	}
	return len(fresh), true
}

// advance moves the log's end to conf through the stored events, acting on
// those that name this collector.
func (c *Collector) advance(conf uint64) {
	if conf == c.confirmed {
		return
	}
	for s := c.confirmed + 1; s <= conf; s++ {
		ev := c.ahead[s]
		delete(c.ahead, s)
		c.table.Apply(ev)
		c.confirmed = s
		c.own(ev)
	}
	c.emit(Event{Kind: EvConfirmed, Seq: c.confirmed, Hash: c.table.Hash()})
}

// install replaces the log by the full state at at; false if the store
// failed.
func (c *Collector) install(at uint64, table node.CollectorTable) bool {
	if at <= c.confirmed {
		return true // the log already reaches it: nothing to replace
	}
	conf := at
	for {
		if _, ok := c.ahead[conf+1]; !ok {
			break
		}
		conf++
	}
	if !c.persistFull(at, &table, conf) {
		return false
	}
	c.reached(ProbeFullStateTaken)
	c.env.Point(PointFullState)
	c.base, c.table, c.confirmed = at, table, at
	for _, s := range slices.Sorted(maps.Keys(c.ahead)) {
		if s <= at {
			delete(c.ahead, s)
		}
	}
	c.ownState(&c.table)
	c.advance(conf)
	return true
}
