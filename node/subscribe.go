package node

import (
	"maps"
	"slices"
)

// The subscription service (Ceph's MMonSubscribe "osdmap", check_osdmap_sub,
// send_incremental): any monitor of the quorum with a whole store answers
// collectors. It acks their reports with the events it holds (first..last),
// tells a collector what follows its last confirmed event and from then on
// pushes every event it applies, and answers fetches: events in a range, at
// most EventsPerMsg at once, or the full table at its first event for a
// collector behind the trim. A monitor outside a quorum, or with a partial
// store, refuses: the collector tries another. Subscriptions live in memory:
// a restart ends them, and so does a collector falling silent; while the
// monitor is out of the quorum it pushes nothing, and the events it missed
// pushing reach the collector as a gap it fetches. An ack says whether the
// monitor holds the collector's subscription, so a collector that lost it
// asks again.

type subscription struct {
	next    uint64 // the next event to push
	touched int64  // local time of the collector's last message
}

// serving says whether this monitor may answer collectors: in a quorum,
// with a whole store, every page of it at one version.
func (m *Monitor) serving() bool {
	return m.phase.InQuorum() && !m.partial() && !m.rep.active && !m.pr.active
}

func (m *Monitor) handleCollector(msg *Msg) {
	if msg.From < m.cfg.Monitors { // a report a peon forwarded
		if m.phase == PhaseLeader && (msg.Type == MColBoot || msg.Type == MColStatus) {
			m.noteReport(msg)
		}
		return
	}
	if !m.serving() {
		m.reached(ProbeCollectorRefused)
		m.send(msg.From, &Msg{Type: MColAck, Seq: msg.Seq})
		return
	}
	first, last := m.eventsRange()
	switch msg.Type {
	case MColBoot, MColStatus:
		ack := Msg{Type: MColAck, Seq: msg.Seq, FC: first, LC: last, Flags: FlagInQuorum}
		if m.touchSubscription(msg.From) {
			ack.Flags |= FlagSubscribed
		}
		m.send(msg.From, &ack)
		if m.phase == PhaseLeader {
			m.noteReport(msg)
		} else {
			fwd := *msg
			fwd.Epoch = 0
			m.send(m.leader, &fwd)
		}
	case MColQuery:
		if m.subs == nil {
			m.subs = map[int]*subscription{}
		}
		m.subs[msg.From] = &subscription{next: last + 1, touched: m.env.Now()}
		m.send(msg.From, &Msg{Type: MColSummary, Seq: msg.Seq, FC: first, LC: last})
	case MColFetch:
		m.touchSubscription(msg.From)
		m.answerFetch(msg, first, last)
	}
}

// touchSubscription notes that a collector is still there, and says
// whether it is subscribed.
func (m *Monitor) touchSubscription(collector int) bool {
	s := m.subs[collector]
	if s != nil {
		s.touched = m.env.Now()
	}
	return s != nil
}

// answerFetch sends the events asked for, or the full table at the first
// event held. An answer with neither tells the collector to ask again what
// follows its last event: those it asked for were trimmed since.
func (m *Monitor) answerFetch(msg *Msg, first, last uint64) {
	reply := Msg{Type: MColEvents, Seq: msg.Seq, FC: first, LC: last}
	switch {
	case first == 0:
	case msg.Has(FlagFull):
		base, _ := m.store.Get(keyEventsBase)
		table, err := DecodeCollectorTable(base)
		if err != nil {
			m.fail(err)
			return
		}
		reply.Flags, reply.Value, reply.Hash = FlagFull, base, table.Hash()
	case msg.FC < first:
		m.reached(ProbeFetchBelowFirst)
	default:
		for s := msg.FC; s <= min(msg.LC, last) && len(reply.Versions) < m.cfg.EventsPerMsg; s++ {
			v, ok := m.store.Get(eventKey(s))
			if !ok {
				break
			}
			reply.Versions = append(reply.Versions, Version{V: s, Value: v})
		}
	}
	m.send(msg.From, &reply)
}

// pushEvents sends newly applied events to every subscribed collector that
// has not had them, and ends the subscriptions of collectors gone silent.
func (m *Monitor) pushEvents(events []CollectorEvent) {
	if len(m.subs) == 0 || len(events) == 0 || !m.serving() {
		return
	}
	enc := make([]Version, len(events))
	for i, ev := range events {
		enc[i] = Version{V: ev.Seq, Value: ev.Encode()}
	}
	now := m.env.Now()
	for _, to := range slices.Sorted(maps.Keys(m.subs)) {
		s := m.subs[to]
		if now-s.touched > 2*m.cfg.CollectorTimeout {
			m.reached(ProbeSubscriptionExpired)
			delete(m.subs, to)
			continue
		}
		i := slices.IndexFunc(enc, func(v Version) bool { return v.V >= s.next })
		if i < 0 {
			continue
		}
		s.next = events[len(events)-1].Seq + 1
		m.send(to, &Msg{Type: MColPush, Versions: enc[i:]})
	}
}
