package node

// Elections, Ceph classic (Elector): the epoch is odd while electing and
// even once a quorum stands; a monitor defers to (acks) any proposer of
// lower rank; the proposer with acks from a majority wins when its round
// ends, or at once with acks from everyone. Epochs are persisted, so a
// restart never reuses one.
//
// Leases span elections: an ack carries the newest lease its sender knows
// of, and a new leader neither serves reads nor commits new values until
// that lease has expired, so a deposed leader's or peon's reads stay
// linearizable. A monitor that just booted has forgotten what leases it
// saw, so it does not vote until one lease period has passed.

type electing struct {
	electingMe bool
	acked      uint64 // who acked me this epoch (me included)
	deferredTo int    // the rank I acked this epoch, or -1
	leaseSeen  int64  // the latest lease expiry any acker reported
}

// bootWaitOver says whether this monitor may take part in elections. A
// store that has never been through an election (epoch 0) never saw a
// lease, so a brand-new cluster does not wait.
func (m *Monitor) bootWaitOver() bool {
	return m.bootFresh || m.env.Now() >= m.bootAt+m.cfg.LeaseDuration+m.cfg.skew(m.env.Now())
}

// partial says whether the store lacks history this monitor once held: a
// full sync is under way, or lc is below the sync floor. Such a monitor
// only syncs; it never votes.
func (m *Monitor) partial() bool { return m.inSync || m.lc < m.floor }

// mayVote says whether this monitor may take part in elections at all: not
// while repairing its store or pages, not with a partial store, not behind
// the rejoin fence.
func (m *Monitor) mayVote() bool { return !m.rep.active && !m.pr.active && !m.partial() && !m.fenced() }

func (m *Monitor) startElection() {
	if !m.mayVote() {
		return
	}
	if !m.bootWaitOver() {
		// Probe again once the wait is over rather than now: the answer now
		// would be the same.
		m.reached(ProbeBootWait)
		m.disarm(tProbe)
		m.arm(tBootWait, m.bootAt+m.cfg.LeaseDuration+m.cfg.skew(m.env.Now())-m.env.Now())
		return
	}
	m.leaveRoles()
	e := max(m.epoch, m.highestEpochSeen)
	if e%2 == 0 {
		e++
	}
	if !m.setEpoch(e) {
		return
	}
	m.elect = electing{electingMe: true, acked: 1 << m.cfg.Rank, deferredTo: -1, leaseSeen: m.px.leaseKnown()}
	m.setPhase(PhaseElecting)
	m.sendOthers(&Msg{Type: MPropose})
	m.arm(tElection, m.cfg.ElectionTimeout)
}

func (m *Monitor) setEpoch(e uint64) bool {
	if e == m.epoch {
		return true
	}
	m.epoch = e
	return m.persistU64(keyEpoch, e)
}

func (m *Monitor) handlePropose(msg *Msg) {
	if m.phase == PhaseSyncing || m.phase == PhaseBooting || !m.mayVote() || !m.bootWaitOver() {
		return
	}
	if msg.Epoch < m.epoch {
		if m.phase == PhaseElecting && m.elect.electingMe {
			m.reached(ProbeElectionTeachEpoch)
			m.send(msg.From, &Msg{Type: MPropose}) // teach the laggard my epoch
		}
		return
	}
	if msg.Epoch > m.epoch {
		lease := m.px.leaseKnown()
		m.leaveRoles()
		if !m.setEpoch(msg.Epoch) {
			return
		}
		m.elect.leaseSeen = lease
		m.setPhase(PhaseElecting)
		m.arm(tElection, m.cfg.ElectionTimeout)
	}
	if msg.From < m.cfg.Rank {
		if m.elect.deferredTo == -1 || msg.From < m.elect.deferredTo {
			m.elect.deferredTo = msg.From
			m.elect.electingMe = false
			m.send(msg.From, &Msg{Type: MAck, Until: max(m.elect.leaseSeen, m.px.leaseKnown())})
			m.emit(Event{Kind: EvVote, Peer: msg.From, Epoch: m.epoch})
			m.arm(tElection, m.cfg.ElectionTimeout)
		}
		return
	}
	if !m.elect.electingMe && m.elect.deferredTo == -1 {
		m.startElection()
	}
}

func (m *Monitor) handleAck(msg *Msg) {
	if m.phase != PhaseElecting || !m.elect.electingMe || msg.Epoch != m.epoch {
		return
	}
	m.elect.acked |= 1 << msg.From
	m.elect.leaseSeen = max(m.elect.leaseSeen, msg.Until)
	if m.elect.acked == m.allMonitors() {
		m.victory()
	}
}

func (m *Monitor) electionTimeout() {
	if m.phase == PhaseElecting && m.elect.electingMe && popcount(m.elect.acked) >= m.cfg.majority() {
		m.victory()
		return
	}
	m.reached(ProbeElectionFailed)
	m.bootstrapBecause("election timed out")
}

func (m *Monitor) victory() {
	quorum, lease := m.elect.acked, m.elect.leaseSeen
	m.disarm(tElection)
	if !m.setEpoch(m.epoch + 1) {
		return
	}
	m.quorum, m.leader = quorum, m.cfg.Rank
	m.sendQuorum(&Msg{Type: MVictory, Quorum: quorum})
	m.emit(Event{Kind: EvQuorum, Epoch: m.epoch, Quorum: quorum, Peer: m.cfg.Rank})
	m.becomeLeader(lease)
}

func (m *Monitor) handleVictory(msg *Msg) {
	if msg.Epoch <= m.epoch || msg.Epoch%2 != 0 || msg.Quorum&(1<<m.cfg.Rank) == 0 || m.phase == PhaseSyncing || !m.mayVote() {
		return
	}
	m.leaveRoles()
	if !m.setEpoch(msg.Epoch) {
		return
	}
	m.quorum, m.leader = msg.Quorum, msg.From
	m.emit(Event{Kind: EvQuorum, Epoch: m.epoch, Quorum: m.quorum, Peer: msg.From})
	m.becomePeon()
}
