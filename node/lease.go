package node

// Leases (Ceph's extend_lease / handle_lease): the active leader grants
// every peon a lease every 0.6 of its length; a peon may serve reads while
// its lease is valid, and the leader while every peon acked its latest
// round. Missing acks or renewals send the monitor back to probing.

// extendLease starts a new lease round, but only once every peon acked the
// last one: a leader that lost touch with part of its quorum must not keep
// extending the leases of the rest, beyond what the monitors that may elect
// its successor know of. Only an active leader calls it.
func (m *Monitor) extendLease() {
	if m.px.leaseRound != 0 && m.px.leaseAcks&m.quorum != m.quorum {
		m.arm(tLeaseRenew, m.cfg.leaseRenew())
		return // tLeaseAck will end this leadership unless the acks come
	}
	until := m.env.Now() + m.cfg.LeaseDuration
	m.px.leaseRound, m.px.leaseAcks = until, 1<<m.cfg.Rank
	m.px.knownLease = max(m.px.knownLease, until)
	m.sendQuorum(&Msg{Type: MLease, LC: m.lc, Until: until})
	m.emit(Event{Kind: EvLease, Until: until, Epoch: m.epoch})
	if !m.armed[tLeaseAck] {
		m.arm(tLeaseAck, m.cfg.leaseAckTimeout())
	}
	m.arm(tLeaseRenew, m.cfg.leaseRenew())
	m.maybeLeaseAcked()
}

func (m *Monitor) handleLease(msg *Msg) {
	m.px.peonLease, m.px.peonLeaseLC = msg.Until, msg.LC
	m.px.knownLease = max(m.px.knownLease, msg.Until)
	m.arm(tLeaseExpire, m.cfg.leaseAckTimeout())
	m.send(msg.From, &Msg{Type: MLeaseAck, Until: msg.Until, LC: m.lc, FC: m.fc})
}

func (m *Monitor) handleLeaseAck(msg *Msg) {
	if msg.LC < m.lc && msg.LC+1 >= m.fc {
		// The peon missed commits (lost messages): send them again.
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
		m.disarm(tLeaseAck)
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
			return false
		}
		if m.cfg.Bugs.LeaseNoCheck {
			return true
		}
		return now < m.px.peonLease-m.cfg.skew(now)
	}
	return false
}
