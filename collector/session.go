package collector

import "github.com/monsim/monsim/node"

// Sessions and reports (Ceph's MonClient hunting, MOSDBoot, beacons). A
// collector reports to one monitor, its target. The target's ack makes a
// session; a session that hears no ack for SessionTimeout, or a refusal,
// is lost and the collector hunts: it picks another monitor. Every new
// session starts a catch-up (catchup.go).

type session struct {
	target  int   // the monitor it reports to
	online  bool  // target acks it
	heardAt int64 // local time of target's last ack
	huntAt  int64 // local time it chose target
	// first and last are the events target holds, as its last ack said;
	// announced is last as the ack before said: what a push should have
	// brought by now.
	first, last, announced uint64
}

// tick reports, after looking for a new monitor if the session went silent.
func (c *Collector) tick() {
	now := c.env.Now()
	switch {
	case c.sess.online && now-c.sess.heardAt > c.cfg.SessionTimeout:
		c.lose()
		c.hunt()
	case !c.sess.online && now-c.sess.huntAt > c.cfg.SessionTimeout:
		c.hunt()
	}
	if c.cfg.StatusEvery > 0 && (c.cfg.StatusUntil == 0 || now < c.cfg.StatusUntil) && c.env.Rand()%uint64(c.cfg.StatusEvery) == 0 {
		c.status = (c.status + 1) % 4
	}
	c.report()
	c.arm(tReport, c.cfg.ReportInterval)
}

// report sends its boot, until the log holds it, then its status with its
// last confirmed event.
func (c *Collector) report() {
	if c.registered {
		c.send(c.sess.target, &node.Msg{Type: node.MColStatus, Cookie: c.nonce, V: c.status, LC: c.confirmed})
		return
	}
	c.send(c.sess.target, &node.Msg{Type: node.MColBoot, Cookie: c.nonce, V: c.status})
}

// hunt picks another monitor to report to.
func (c *Collector) hunt() {
	if c.cfg.Monitors > 1 {
		c.sess.target = (c.sess.target + 1 + int(c.env.Rand()%uint64(c.cfg.Monitors-1))) % c.cfg.Monitors
	}
	c.sess.huntAt = c.env.Now()
}

// lose ends the session: what was asked of its monitor is abandoned.
func (c *Collector) lose() {
	if !c.sess.online {
		return
	}
	c.reached(ProbeSessionLost)
	c.sess.online = false
	c.emit(Event{Kind: EvSession, Peer: -1})
	c.cu = catchup{}
	c.disarm(tFetch)
}

func (c *Collector) onAck(msg *node.Msg) {
	if msg.From != c.sess.target {
		return // the answer to a report sent before it moved on
	}
	if !msg.Has(node.FlagInQuorum) {
		c.reached(ProbeMonitorRefused)
		c.lose()
		c.hunt()
		return
	}
	c.sess.heardAt = c.env.Now()
	c.sess.first, c.sess.last = msg.FC, msg.LC
	if !c.sess.online {
		c.sess.online, c.sess.announced = true, msg.LC
		c.emit(Event{Kind: EvSession, Peer: msg.From})
		c.startCatchup()
		return
	}
	switch {
	case c.cu.state != idle:
	case !msg.Has(node.FlagSubscribed):
		c.reached(ProbeUnsubscribed) // the monitor restarted: ask again, which subscribes
		c.startCatchup()
	case c.sess.announced > c.highest():
		c.reached(ProbeBehindMonitor)
		c.startCatchup()
	}
	c.sess.announced = msg.LC
}

// own reacts to an event of its log that names it: its boot recorded, or
// its session marked down while it was alive (cut off, paused).
func (c *Collector) own(ev node.CollectorEvent) {
	if ev.Collector != c.cfg.ID {
		return
	}
	switch {
	case ev.Change == node.CollectorBoot && ev.Nonce == c.nonce && !c.registered:
		c.registered, c.inc = true, ev.Inc
		c.emit(Event{Kind: EvRegistered, Seq: ev.Seq, Inc: ev.Inc, Nonce: c.nonce})
	case ev.Change == node.CollectorStop && c.registered && ev.Inc == c.inc:
		c.markedDown(ev.Seq)
	}
}

// ownState is own for a full state, which says where its session stands
// without the events that led there.
func (c *Collector) ownState(t *node.CollectorTable) {
	st, ok := t.Get(c.cfg.ID)
	mine := ok && st.Up && st.Nonce == c.nonce
	booted, ended := !c.registered && mine, c.registered && ok && !mine && st.Inc >= c.inc
	if booted || ended {
		c.reached(ProbeRegisteredFull)
	}
	switch {
	case booted:
		c.registered, c.inc = true, st.Inc
		c.emit(Event{Kind: EvRegistered, Seq: st.Since, Inc: st.Inc, Nonce: c.nonce})
	case ended:
		c.markedDown(st.Since)
	}
}

// markedDown starts a new session: the old one is over in the events.
func (c *Collector) markedDown(seq uint64) {
	c.reached(ProbeMarkedDown)
	c.emit(Event{Kind: EvMarkedDown, Seq: seq, Inc: c.inc, Nonce: c.nonce})
	c.registered, c.inc, c.nonce = false, 0, c.env.Rand()
	c.report()
}
