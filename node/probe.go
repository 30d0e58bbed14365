package node

// Probing (Ceph's Monitor::bootstrap and handle_probe): a monitor that
// boots or falls out of quorum asks every other monitor where the cluster
// is, then syncs if it is too far behind, or calls an election to join.

type probing struct {
	outside uint64 // monitors (me included) that answered from outside any quorum
}

// bootstrap drops every role and starts probing.
func (m *Monitor) bootstrap() {
	m.leaveRoles()
	m.probe = probing{outside: 1 << m.cfg.Rank}
	m.pageRepairStep()
	switch {
	case m.rep.active:
		m.rep.replies = make([]probeInfo, m.cfg.Monitors)
		m.setPhase(PhaseRepairing)
	case m.pr.active:
		m.setPhase(PhasePageRepair)
	default:
		m.setPhase(PhaseProbing)
	}
	m.probeAgain()
}

func (m *Monitor) bootstrapBecause(why string) {
	m.emit(Event{Kind: EvBootstrap, Detail: why})
	m.bootstrap()
}

// leaveRoles forgets leadership, quorum, election and sync state.
func (m *Monitor) leaveRoles() {
	m.disarmAll()
	m.leader, m.quorum = -1, 0
	m.elect = electing{deferredTo: -1}
	m.px.reset()
	m.sync = syncing{}
	m.svc.dropQueued()
	m.rec = recording{}
}

// probeAgain probes, or, for a page repair with pages still damaged, asks
// for page LSNs.
func (m *Monitor) probeAgain() {
	if len(m.pr.damaged) > 0 {
		m.pageProbe()
	} else {
		m.sendOthers(&Msg{Type: MProbe, VecAsOf: m.vec.asOf, Seq: m.rep.round})
	}
	m.arm(tProbe, m.cfg.ProbeInterval)
}

// handleProbe answers a probe in any phase: where I am, what I hold.
func (m *Monitor) handleProbe(msg *Msg) {
	if m.rep.active && !m.cfg.Bugs.AnswerProbeWhileRepairing || m.pr.active {
		return // a store being rebuilt or repaired must not be taken for a source or a peer
	}
	reply := Msg{Type: MProbeReply, FC: m.fc, LC: m.lc, Leader: m.leader, Seq: msg.Seq}
	if m.quorum != 0 {
		reply.Flags |= FlagInQuorum
		reply.Quorum = m.quorum
	}
	// A partial store (mid full sync, or below its sync floor) answers as
	// one: its lc is not history it holds.
	syncing := m.phase == PhaseSyncing || m.partial()
	if syncing {
		reply.Flags |= FlagSyncing
	}
	m.attachReport(&reply, msg)
	m.send(msg.From, &reply)
	m.emit(Event{Kind: EvProbeReply, Peer: msg.From, Version: m.lc, FC: m.fc, Syncing: syncing})
}

// handleProbeReply decides, per Ceph: full sync if the peer trimmed past
// me, recent sync if I lag more than max_join_drift, else an election.
func (m *Monitor) handleProbeReply(msg *Msg) {
	m.mergeReport(msg)
	switch m.phase {
	case PhaseRepairing:
		m.repairProbeReply(msg)
		return
	case PhasePageRepair:
		m.pageCatchUpReply(msg)
		return
	}
	if m.phase != PhaseProbing {
		return
	}
	m.maybeLiftFence(msg)
	m.highestEpochSeen = max(m.highestEpochSeen, msg.Epoch)
	// A syncing peer's data is partial; one behind my floor is stale.
	if msg.Has(FlagSyncing) {
		m.reached(ProbeProbeReplySyncingPeer)
		return
	}
	if m.floor > 0 && msg.LC < m.floor {
		m.reached(ProbeProbeReplyBelowFloor)
		return
	}
	switch {
	case m.partial() || (m.lc < msg.FC && msg.FC > 1):
		m.startSync(msg.From, true)
	case m.lc+m.cfg.MaxJoinDrift < msg.LC:
		m.startSync(msg.From, false)
	case msg.Has(FlagInQuorum):
		m.startElection()
	default:
		m.probe.outside |= 1 << msg.From
		if popcount(m.probe.outside) >= m.cfg.majority() {
			m.startElection()
		}
	}
}
