package node

import (
	"encoding/binary"
	"fmt"
)

// Recording the collectors' events (Ceph's OSDMonitor: MOSDBoot, beacons,
// mon_osd_report_timeout). Collectors report to any monitor in the quorum;
// a peon forwards the reports to the leader. The leader turns a change of
// state into an event of the next proposal, decided against the committed
// events as a cas is against committed keys, so that a report repeated or
// overtaken is recorded once:
//
//   - a boot of a session the events do not hold records a boot with the
//     next incarnation; if the events say the collector is up in another
//     session, that session's stop first (it restarted before anyone
//     noticed it was gone);
//   - a status report of the session the events hold records its status if
//     it changed;
//   - a collector the events say is up, whose session has not been heard
//     from for CollectorTimeout, is marked down: the stop event, once per
//     offline period. A new leader gives every collector that long again.
//
// Events are numbered 1, 2, ... with no gap; each monitor applies them with
// the version that carries them (applyCommitted) and keeps the last
// EventsKeep or so, plus the full table at the first one it kept.

type recording struct {
	queued []collectorReport
	heard  map[int]int64 // leader: collector id -> local time a report of its recorded session arrived
	marked map[int]bool  // the StopEventTwice bug: collectors this leader marked down itself
}

// collectorReport is a change waiting for the next proposal.
type collectorReport struct {
	change        CollectorChange
	id            int
	nonce, status uint64
	inc           uint64 // stop: the incarnation found silent
}

// eventsTable is the collector table after the last committed event.
func (m *Monitor) eventsTable() (CollectorTable, error) {
	b, _ := m.store.Get(keyEventsCurrent)
	return DecodeCollectorTable(b)
}

// eventsRange is the first and last collector event held (0, 0: none).
func (m *Monitor) eventsRange() (first, last uint64) {
	return getU64(m.store, keyEventsFirst), getU64(m.store, keyEventsLast)
}

// noteReport takes a collector's boot or status report at the leader.
func (m *Monitor) noteReport(msg *Msg) {
	table, err := m.eventsTable()
	if err != nil {
		m.fail(err)
		return
	}
	if m.rec.heard == nil {
		m.rec.heard = map[int]int64{}
	}
	id := int(msg.Seq)
	st, known := table.Get(id)
	current := known && st.Up && st.Nonce == msg.Cookie
	if current {
		m.rec.heard[id] = m.env.Now()
	}
	switch {
	case msg.Type == MColBoot && !current:
		if m.cfg.Bugs.StopEventTwice {
			delete(m.rec.marked, id)
		}
		m.queueCollector(collectorReport{change: CollectorBoot, id: id, nonce: msg.Cookie, status: msg.V})
	case msg.Type == MColStatus && !current:
		m.reached(ProbeReportOtherSession) // it will see its stop, or its boot, in the events
	case msg.Type == MColStatus && st.Status != msg.V:
		m.queueCollector(collectorReport{change: CollectorStatus, id: id, nonce: msg.Cookie, status: msg.V})
	}
	if !m.armed[tCollectors] {
		m.arm(tCollectors, m.cfg.CollectorTimeout/4)
	}
}

// queueCollector keeps a change for the next proposal. Changes ride along
// with the clients' writes; the next check of the collectors proposes
// them if no write came meanwhile: a collector can wait a fraction of its
// timeout, and a proposal of their own for each would double the rounds.
func (m *Monitor) queueCollector(r collectorReport) {
	m.rec.queued = append(m.rec.queued, r)
}

// startRecording gives every collector a full timeout under a new leader.
func (m *Monitor) startRecording() {
	if table, err := m.eventsTable(); err == nil && len(table.states) > 0 {
		m.arm(tCollectors, m.cfg.CollectorTimeout/4)
	}
}

// checkCollectors marks down the collectors whose session went silent.
func (m *Monitor) checkCollectors() {
	if m.phase != PhaseLeader {
		return
	}
	table, err := m.eventsTable()
	if err != nil {
		m.fail(err)
		return
	}
	if m.rec.heard == nil {
		m.rec.heard = map[int]int64{}
	}
	now := m.env.Now()
	for _, st := range table.states {
		down := !st.Up
		if m.cfg.Bugs.StopEventTwice {
			down = m.rec.marked[st.ID]
		}
		if down {
			continue
		}
		last, ok := m.rec.heard[st.ID]
		if !ok {
			m.rec.heard[st.ID] = now
			continue
		}
		if now-last > m.cfg.CollectorTimeout {
			m.reached(ProbeMarkedDown)
			m.queueCollector(collectorReport{change: CollectorStop, id: st.ID, inc: st.Inc})
			m.rec.heard[st.ID] = now // once per timeout until the stop commits
			if m.cfg.Bugs.StopEventTwice {
				if m.rec.marked == nil {
					m.rec.marked = map[int]bool{}
				}
				m.rec.marked[st.ID] = true
			}
		}
	}
	m.arm(tCollectors, m.cfg.CollectorTimeout/4)
	if len(m.rec.queued) > 0 {
		m.proposePending()
	}
}

// collectorOps turns the queued reports into the events of the next
// proposal, decided against the committed events plus the ones before them
// in the same proposal, and trims the events once enough are held.
func (m *Monitor) collectorOps() []txnOp {
	if len(m.rec.queued) == 0 {
		return nil
	}
	table, err := m.eventsTable()
	if err != nil {
		m.rec.queued = m.rec.queued[:0]
		return nil // applying the next version will find it and stop
	}
	first, last := m.eventsRange()
	var ops []txnOp
	record := func(ev CollectorEvent) {
		last++
		ev.Seq = last
		table.Apply(ev)
		ops = append(ops, txnOp{kind: txEvent, event: ev})
		if first == 0 {
			first = ev.Seq
		}
	}
	for _, r := range m.rec.queued {
		st, known := table.Get(r.id)
		switch r.change {
		case CollectorBoot:
			if known && st.Up && st.Nonce == r.nonce {
				continue // recorded already
			}
			if known && st.Up {
				m.reached(ProbeBootWhileUp)
				record(CollectorEvent{Collector: r.id, Change: CollectorStop, Inc: st.Inc})
			}
			record(CollectorEvent{Collector: r.id, Change: CollectorBoot, Inc: st.Inc + 1, Nonce: r.nonce, Status: r.status})
		case CollectorStatus:
			if known && st.Up && st.Nonce == r.nonce && st.Status != r.status {
				record(CollectorEvent{Collector: r.id, Change: CollectorStatus, Inc: st.Inc, Status: r.status})
			}
		case CollectorStop:
			if known && (st.Up || m.cfg.Bugs.StopEventTwice) && st.Inc == r.inc {
				record(CollectorEvent{Collector: r.id, Change: CollectorStop, Inc: st.Inc})
			}
		}
	}
	m.rec.queued = m.rec.queued[:0]
	if len(ops) > 0 && last-first+1 > m.cfg.EventsKeep+m.cfg.EventsTrimMin {
		ops = append(ops, txnOp{kind: txEventTrim, trim: last - m.cfg.EventsKeep + 1})
	}
	return ops
}

// eventApply applies a version's collector events within applyCommitted's
// batch: it reads and writes through the batch's view of the store.
type eventApply struct {
	get func(key string) ([]byte, bool)
	set func(key string, value []byte)
	// held says whether the store's page of events holds the version
	// already (a page repair installed it at a later one): the store leaves
	// that page alone, and its events are recorded there already.
	held     func() bool
	skip     bool
	loaded   bool
	first    uint64
	last     uint64
	table    CollectorTable
	recorded []CollectorEvent
	hashes   []uint64 // the table's hash after each recorded event
	err      error
}

func (a *eventApply) load() {
	if a.loaded {
		return
	}
	a.loaded = true
	if a.skip = a.held != nil && a.held(); a.skip {
		return
	}
	u := func(key string) uint64 {
		b, ok := a.get(key)
		if !ok || len(b) != 8 {
			return 0
		}
		return binary.BigEndian.Uint64(b)
	}
	a.first, a.last = u(keyEventsFirst), u(keyEventsLast)
	b, _ := a.get(keyEventsCurrent)
	if a.table, a.err = DecodeCollectorTable(b); a.err != nil {
		a.err = fmt.Errorf("collector table: %w", a.err)
	}
}

func (a *eventApply) record(ev CollectorEvent) {
	if a.load(); a.err != nil || a.skip {
		return
	}
	if ev.Seq != a.last+1 {
		a.err = fmt.Errorf("collector event %d recorded after event %d", ev.Seq, a.last)
		return
	}
	a.table.Apply(ev)
	a.last = ev.Seq
	a.set(eventKey(ev.Seq), ev.Encode())
	if a.first == 0 {
		a.first = ev.Seq
		a.set(keyEventsBase, a.table.Encode())
	}
	a.recorded = append(a.recorded, ev)
	a.hashes = append(a.hashes, a.table.Hash())
}

// trim drops the events below to, folding them into the table kept at the
// first event left.
func (a *eventApply) trim(to uint64) {
	if a.load(); a.err != nil || a.skip || to <= a.first || to > a.last {
		return
	}
	b, _ := a.get(keyEventsBase)
	base, err := DecodeCollectorTable(b)
	for s := a.first + 1; s <= to && err == nil; s++ {
		v, ok := a.get(eventKey(s))
		if !ok {
			err = fmt.Errorf("collector event %d missing between %d and %d", s, a.first, a.last)
			break
		}
		var ev CollectorEvent
		if ev, err = DecodeCollectorEvent(v); err == nil {
			base.Apply(ev)
		}
	}
	if err != nil {
		a.err = err
		return
	}
	for s := a.first; s < to; s++ {
		a.set(eventKey(s), nil)
	}
	a.first = to
	a.set(keyEventsBase, base.Encode())
}

// finish writes first, last and the current table, if anything changed.
func (a *eventApply) finish() {
	if !a.loaded || a.err != nil || a.skip {
		return
	}
	a.set(keyEventsFirst, u64(a.first))
	a.set(keyEventsLast, u64(a.last))
	a.set(keyEventsCurrent, a.table.Encode())
}

// recorded reports and pushes the collector events a version applied.
func (m *Monitor) recorded(a *eventApply) {
	for i, ev := range a.recorded {
		m.emit(Event{Kind: EvRecorded, Version: ev.Seq, Peer: ev.Collector, Epoch: ev.Inc, Hash: a.hashes[i], Record: ev})
	}
	m.pushEvents(a.recorded)
}

// eventsPageHolds says whether the store's page of collector events already
// holds version v: a page repair installed it at v or later.
func (m *Monitor) eventsPageHolds(v uint64) bool {
	return m.store.Pages()[m.store.PageOf(prefixEvents)].LSN >= v
}
