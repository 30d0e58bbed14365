package node

// Leases (Ceph's extend_lease / handle_lease): the active leader grants
// every peon a lease every 0.6 of its length; a peon may serve reads while
// its lease is valid, and the leader while every peon acked its latest
// round. Missing acks or renewals send the monitor back to probing.
//
// The renewal rule that keeps a successor safe: a leader renews only if
// every peon acked the last round, and no later than renewWindow after
// that round began. Every peon of a quorum acked its leader's last round
// but one, and any new majority holds one of them, so the newest lease any
// voter of a new leader reports bounds every lease of the old epoch: at
// most one renewal, at most renewWindow, beyond it. The new leader waits
// that out (becomeLeader) before it serves or commits anything.
//
// The first lease of an epoch follows no lease round, so the collect (or
// the begin of a recovered value) stands in for one: a peon answering it
// counts a lease as running from then (expectLease), and the leader grants
// its first lease no later than renewWindow after that round went out.
// Without this, peons that promised and then left for a newer election
// would vouch for no lease at all, while a late first lease still reached
// a peon that stayed.

// extendLease starts a new lease round. A round not acked by every peon in
// time, or a renewal that comes late (a paused process, a slow disk), ends
// the leadership instead: a lease any later than renewWindow after the
// last round would outrun what the monitors that elect a successor know
// of. Only an active leader calls it.
func (m *Monitor) extendLease() {
	now := m.env.Now()
	if m.px.leaseRound == 0 && now > m.px.roundAt+m.cfg.renewWindow() {
		m.reached(ProbeFirstLeaseLate)
		m.bootstrapBecause("first lease came too late after the round every peon answered")
		return
	}
	if m.px.leaseRound != 0 {
		if m.px.leaseAcks&m.quorum != m.quorum {
			m.reached(ProbeLeaseRoundUnacked)
			m.bootstrapBecause("lease round not acked by every peon in time")
			return
		}
		if now > m.px.leaseRound-m.cfg.LeaseDuration+m.cfg.renewWindow() {
			m.reached(ProbeLeaseRenewalLate)
			m.bootstrapBecause("lease renewal came too late")
			return
		}
	}
	until := now + m.cfg.LeaseDuration
	m.px.leaseRound, m.px.leaseAcks = until, 1<<m.cfg.Rank
	m.px.knownLease = max(m.px.knownLease, until)
	m.sendQuorum(m.leaseMsg())
	m.emit(Event{Kind: EvLease, Until: until, Epoch: m.epoch})
	m.arm(tLeaseRenew, m.cfg.leaseRenew())
	m.arm(tLeaseResend, m.cfg.leaseResend())
	m.maybeLeaseAcked()
}

// expectLease is a peon answering a collect or a begin: its leader may
// grant a lease from now on, so a successor this peon votes for must wait
// as if one were granted now.
func (m *Monitor) expectLease() {
	now := m.env.Now()
	m.px.knownLease = max(m.px.knownLease, now+m.cfg.LeaseDuration)
}

func (m *Monitor) leaseMsg() *Msg {
	return &Msg{Type: MLease, LC: m.lc, Until: m.px.leaseRound, VecAsOf: m.vec.asOf}
}

// resendLease repeats the current lease round to the peons that have not
// acked it: it must be acked within one renewal interval.
func (m *Monitor) resendLease() {
	if missing := m.quorum &^ m.px.leaseAcks; missing != 0 {
		m.broadcast(m.leaseMsg(), missing)
		m.arm(tLeaseResend, m.cfg.leaseResend())
	}
}

// handleLease takes a lease, never letting an older round (a late or
// duplicated message) shorten it or lower the lc it vouches for.
func (m *Monitor) handleLease(msg *Msg) {
	if msg.Until < m.px.peonLease {
		m.reached(ProbeLeaseStaleRound)
	}
	m.px.peonLease, m.px.peonLeaseLC = max(m.px.peonLease, msg.Until), max(m.px.peonLeaseLC, msg.LC)
	m.px.knownLease = max(m.px.knownLease, msg.Until)
	m.arm(tLeaseExpire, m.cfg.leaseAckTimeout())
	ack := Msg{Type: MLeaseAck, Until: msg.Until, LC: m.lc, FC: m.fc}
	m.attachReport(&ack, msg)
	m.send(msg.From, &ack)
}

func (m *Monitor) handleLeaseAck(msg *Msg) {
	m.mergeReport(msg)
	if msg.LC < m.lc && msg.LC+1 >= m.fc {
		// The peon missed commits (lost messages): send them again.
		m.reached(ProbeLeaseAckCatchUp)
		m.send(msg.From, &Msg{Type: MCommit, LC: m.lc, Versions: m.versionsFrom(msg.LC+1, m.lc)})
	}
	if msg.Until != m.px.leaseRound {
		return
	}
	m.px.leaseAcks |= 1 << msg.From
	m.maybeLeaseAcked()
}

func (m *Monitor) maybeLeaseAcked() {
	if m.px.leaseAcks&m.quorum == m.quorum {
		m.px.readUntil = m.px.leaseRound
		m.disarm(tLeaseResend)
	}
}

// readable says whether this monitor may answer a read now without risking
// a stale answer.
func (m *Monitor) readable() bool {
	now := m.env.Now()
	switch m.phase {
	case PhaseLeader:
		return m.px.active && now >= m.px.activeAt && now < m.px.readUntil
	case PhasePeon:
		if m.pendingV > m.lc || m.lc < m.px.peonLeaseLC {
			// An accepted value may already be committed and acknowledged,
			// or the leader held versions this peon has not applied yet
			// (the catch-up can arrive after the lease): wait for them.
			m.reached(ProbeReadWhilePending)
			return false
		}
		if m.cfg.Bugs.LeaseNoCheck {
			return true
		}
		if now >= m.px.peonLease-m.cfg.skew(now) {
			m.reached(ProbeReadWithoutLease)
			return false
		}
		return true
	}
	return false
}
