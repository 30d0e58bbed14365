package node

import "github.com/monsim/monsim/node/kvstore"

// Paxos, as Ceph's Paxos.cc runs it: one value in flight at a time.
//
// Leader: collect (new pn; peons promise it and report what they hold,
// including an accepted but uncommitted value), catch everyone up, re-propose
// the uncommitted value with the highest pn if any, then serve: begin a
// value at lc+1, commit once every quorum member accepted it.
//
// Peon: promise higher pns, accept begins (persisting them before the ack),
// apply commits in order.

type paxosRun struct {
	pn         uint64
	collecting bool
	replied    uint64 // collect: who sent last
	uncommitV  uint64 // collect: the best uncommitted value seen
	uncommitPN uint64
	uncommit   []byte
	proposing  bool
	accepted   uint64
	active     bool  // recovery finished
	activeAt   int64 // no reads or commits before this local time (old leases)
	// waitingOldLeases: the collect finished, and what follows it waits for
	// activeAt.
	waitingOldLeases bool

	// roundAt: leader, when the latest collect or begin went out. Every
	// peon that answers it counts a lease as possibly coming (lease.go).
	roundAt     int64
	leaseRound  int64  // leader: the expiry sent in the current lease round
	leaseAcks   uint64 // leader: who acked leaseRound
	readUntil   int64  // leader: reads allowed before this (every peon acked)
	peonLease   int64  // peon: lease expiry received
	peonLeaseLC uint64 // peon: the leader\'s last_committed when it granted that lease
	knownLease  int64  // the latest lease expiry this monitor granted or got
	inflightOps []ClientOp
}

func (p *paxosRun) reset() {
	known := p.knownLease
	*p = paxosRun{knownLease: known}
}

// leaseKnown is the newest lease expiry this monitor knows was granted.
func (p *paxosRun) leaseKnown() int64 { return p.knownLease }

func (m *Monitor) becomeLeader(oldLease int64) {
	m.setPhase(PhaseLeader)
	now := m.env.Now()
	m.px.activeAt = now
	if oldLease > 0 {
		// The old leader may have renewed once more than any voter heard
		// of (lease.go): wait that renewal out too.
		m.px.activeAt = max(now, oldLease+m.cfg.renewWindow()+m.cfg.skew(now))
	}
	m.collect()
}

func (m *Monitor) becomePeon() {
	m.setPhase(PhasePeon)
	m.arm(tLeaseExpire, m.cfg.leaseAckTimeout())
}

// newPN picks a proposal number above any this monitor has used or
// promised, unique to its rank, and persists it.
func (m *Monitor) newPN() uint64 {
	pn := (max(m.lastPN, m.acceptedPN)/100+1)*100 + uint64(m.cfg.Rank)
	m.lastPN = pn
	return pn
}

// collectMsg carries the quorum too, so a peon whose victory message was
// lost or overtaken learns of the new quorum from the collect.
func (m *Monitor) collectMsg() *Msg {
	return &Msg{Type: MCollect, PN: m.px.pn, FC: m.fc, LC: m.lc, Quorum: m.quorum}
}

// resendRound repeats the current collect or begin to the quorum members
// that have not answered: the network may lose or reorder messages. Only a
// leader that is collecting or proposing has tResend armed.
func (m *Monitor) resendRound() {
	m.reached(ProbeRoundResent)
	if m.px.collecting {
		m.broadcast(m.collectMsg(), m.quorum&^m.px.replied)
	} else {
		m.broadcast(m.beginMsg(), m.quorum&^m.px.accepted)
	}
	m.arm(tResend, m.cfg.ResendInterval)
}

func (m *Monitor) collect() {
	m.px.pn = m.newPN()
	m.acceptedPN = m.px.pn
	m.px.roundAt = m.env.Now()
	var b kvstore.Batch
	b.Put(keyLastPN, u64(m.lastPN))
	b.Put(keyAcceptedPN, u64(m.acceptedPN))
	if !m.apply(&b, true) {
		return
	}
	m.px.collecting, m.px.active, m.px.proposing = true, false, false
	m.px.replied = 1 << m.cfg.Rank
	m.px.uncommitV, m.px.uncommitPN, m.px.uncommit = 0, 0, nil
	if m.pendingV == m.lc+1 {
		m.px.uncommitV, m.px.uncommitPN, m.px.uncommit = m.pendingV, m.pendingPN, m.pendingVal
	}
	m.sendQuorum(m.collectMsg())
	m.arm(tPaxos, m.cfg.acceptTimeout())
	m.arm(tResend, m.cfg.ResendInterval)
	m.maybeFinishCollect()
}

// stepPaxos routes paxos messages of my epoch by role.
func (m *Monitor) stepPaxos(msg *Msg) {
	if msg.Type == MCollect && msg.Epoch > m.epoch {
		m.handleVictory(msg) // the victory was lost or overtaken: the collect stands in for it
		if m.epoch == msg.Epoch {
			m.reached(ProbeLostVictory)
		}
	}
	if msg.Epoch != m.epoch {
		return
	}
	switch m.phase {
	case PhaseLeader:
		if !m.isQuorumMember(msg.From) {
			return
		}
		switch msg.Type {
		case MLast:
			m.handleLast(msg)
		case MAccept:
			m.handleAccept(msg)
		case MLeaseAck:
			m.handleLeaseAck(msg)
		}
	case PhasePeon:
		if msg.From != m.leader {
			return
		}
		switch msg.Type {
		case MCollect:
			m.handleCollect(msg)
		case MBegin:
			m.handleBegin(msg)
		case MCommit:
			m.handleCommit(msg)
		case MLease:
			m.handleLease(msg)
		}
	}
}

func (m *Monitor) handleCollect(msg *Msg) {
	if msg.FC > m.lc+1 {
		m.reached(ProbePeonBehindTrim)
		m.bootstrapBecause("leader trimmed past my last committed version")
		return
	}
	m.expectLease()
	if msg.PN > m.acceptedPN {
		m.acceptedPN = msg.PN
		if !m.persistU64(keyAcceptedPN, msg.PN) {
			return
		}
		m.emit(Event{Kind: EvPromise, PN: msg.PN, Epoch: m.epoch})
	}
	last := Msg{Type: MLast, PN: m.acceptedPN, FC: m.fc, LC: m.lc}
	if m.pendingV == m.lc+1 {
		last.V, last.PendingPN, last.Value = m.pendingV, m.pendingPN, m.pendingVal
	}
	last.Versions = m.versionsFrom(msg.LC+1, m.lc)
	m.send(msg.From, &last)
}

func (m *Monitor) handleLast(msg *Msg) {
	if !m.px.collecting {
		return
	}
	if msg.PN > m.px.pn {
		m.reached(ProbeCollectOutbid)
		m.lastPN = max(m.lastPN, msg.PN)
		m.collect() // someone promised a higher pn: outbid it
		return
	}
	if msg.FC > m.lc+1 {
		m.reached(ProbeLeaderBehindTrim)
		m.bootstrapBecause("a peon trimmed past my last committed version")
		return
	}
	for _, v := range msg.Versions {
		if v.V == m.lc+1 && !m.applyCommitted(v.V, v.Value) {
			return
		}
	}
	if msg.LC < m.lc && msg.LC+1 >= m.fc {
		m.reached(ProbeCatchUpPeon)
		m.send(msg.From, &Msg{Type: MCommit, LC: m.lc, Versions: m.versionsFrom(msg.LC+1, m.lc)})
	}
	if msg.V == m.lc+1 && msg.PendingPN > m.px.uncommitPN {
		m.px.uncommitV, m.px.uncommitPN, m.px.uncommit = msg.V, msg.PendingPN, msg.Value
	}
	m.px.replied |= 1 << msg.From
	m.maybeFinishCollect()
}

func (m *Monitor) maybeFinishCollect() {
	if !m.px.collecting || m.px.replied&m.quorum != m.quorum {
		return
	}
	m.px.collecting = false
	m.disarm(tPaxos)
	m.disarm(tResend)
	m.afterCollect()
}

// afterCollect re-proposes the uncommitted value the collect recovered, or
// becomes active. A recovered value commits like any new one, so only once
// every lease of an older epoch has run out: a peon of the old quorum must
// not still be serving reads without it. Until it commits, no lease of the
// new epoch goes out either (it may have been committed and acknowledged
// before; a new peon that never accepted it must not serve reads without
// it). With nothing recovered, the new epoch's leases go out at once, and
// proposePending holds new values until the old leases are over.
func (m *Monitor) afterCollect() {
	m.px.waitingOldLeases = false
	if m.px.uncommitV != m.lc+1 || m.px.uncommit == nil {
		m.becomeActive()
		return
	}
	if now := m.env.Now(); now < m.px.activeAt {
		m.reached(ProbeWaitingOutOldLeases)
		m.px.waitingOldLeases = true
		m.arm(tActivate, m.px.activeAt-now)
		return
	}
	m.reached(ProbeCollectRecovered)
	m.begin(m.px.uncommit, nil)
}

func (m *Monitor) becomeActive() {
	m.px.active = true
	m.startRecording()
	m.extendLease()
	m.proposePending()
}

// begin proposes value at lc+1; ops are the client requests it answers.
func (m *Monitor) begin(value []byte, ops []ClientOp) {
	v := m.lc + 1
	var b kvstore.Batch
	b.Put(keyPendingV, u64(v))
	b.Put(keyPendingPN, u64(m.px.pn))
	b.Put(keyPendingVal, value)
	if !m.apply(&b, true) {
		return
	}
	m.pendingV, m.pendingPN, m.pendingVal = v, m.px.pn, value
	m.px.proposing, m.px.accepted, m.px.inflightOps = true, 1<<m.cfg.Rank, ops
	m.px.roundAt = m.env.Now()
	m.sendQuorum(m.beginMsg())
	m.arm(tPaxos, m.cfg.acceptTimeout())
	m.arm(tResend, m.cfg.ResendInterval)
	m.maybeCommit()
}

// beginMsg proposes the pending value. It also carries the last committed
// version, so a peon that missed that commit can catch up and accept.
func (m *Monitor) beginMsg() *Msg {
	return &Msg{Type: MBegin, PN: m.px.pn, V: m.pendingV, Value: m.pendingVal, LC: m.lc,
		Versions: m.versionsFrom(m.lc, m.lc)}
}

func (m *Monitor) handleBegin(msg *Msg) {
	// The acceptor's rule. No well-behaved leader breaks it: stepPaxos
	// takes only begins of my epoch, whose one leader begins after a
	// collect every quorum member answered, under the pn I promised last.
	// So it has no code probe; a script forges such a begin.
	if msg.PN < m.acceptedPN {
		return
	}
	for _, v := range msg.Versions {
		if v.V == m.lc+1 && !m.applyCommitted(v.V, v.Value) {
			return
		}
	}
	if msg.V != m.lc+1 {
		m.reached(ProbeBeginUnexpectedVersion)
		return // missed commits; the leader's lease round will catch me up
	}
	m.expectLease()
	var b kvstore.Batch
	b.Put(keyAcceptedPN, u64(msg.PN))
	b.Put(keyPendingV, u64(msg.V))
	b.Put(keyPendingPN, u64(msg.PN))
	b.Put(keyPendingVal, msg.Value)
	if !m.apply(&b, !m.cfg.Bugs.NoFsyncAccept) {
		return
	}
	m.acceptedPN, m.pendingV, m.pendingPN, m.pendingVal = msg.PN, msg.V, msg.PN, msg.Value
	m.env.Point(PointPaxosAccepted)
	m.send(msg.From, &Msg{Type: MAccept, PN: msg.PN, V: msg.V})
	m.emit(Event{Kind: EvAccept, Version: msg.V, PN: msg.PN, Epoch: m.epoch})
}

func (m *Monitor) handleAccept(msg *Msg) {
	if !m.px.proposing || msg.PN != m.px.pn || msg.V != m.pendingV {
		return
	}
	m.px.accepted |= 1 << msg.From
	m.maybeCommit()
}

func (m *Monitor) maybeCommit() {
	done := m.px.accepted&m.quorum == m.quorum
	if m.cfg.Bugs.CommitBeforeQuorum {
		done = popcount(m.px.accepted&m.quorum) >= popcount(m.quorum)/2+1
	}
	if !m.px.proposing || !done {
		return
	}
	v, value, ops := m.pendingV, m.pendingVal, m.px.inflightOps
	m.px.proposing, m.px.inflightOps = false, nil
	m.disarm(tPaxos)
	m.disarm(tResend)
	if !m.applyCommitted(v, value) {
		return
	}
	m.emit(Event{Kind: EvCommit, Version: v, Hash: TxnHash(value), Epoch: m.epoch})
	m.sendQuorum(&Msg{Type: MCommit, LC: v, Versions: []Version{{V: v, Value: value}}})
	m.answerCommitted(v, ops)
	if !m.px.active {
		m.becomeActive()
		return
	}
	m.proposePending()
}

func (m *Monitor) handleCommit(msg *Msg) {
	for _, v := range msg.Versions {
		if v.V != m.lc+1 {
			m.reached(ProbeCommitUnexpectedVersion) // a duplicate, or a gap the lease round fills
			continue
		}
		if !m.applyCommitted(v.V, v.Value) {
			return
		}
	}
}

// versionsFrom returns the stored versions from..to that still exist.
func (m *Monitor) versionsFrom(from, to uint64) []Version {
	from = max(from, m.fc, 1)
	var out []Version
	for v := from; v <= to; v++ {
		val, ok := m.store.Get(versionKey(v))
		if !ok {
			break
		}
		out = append(out, Version{V: v, Value: val})
	}
	return out
}
