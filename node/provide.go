package node

import (
	"fmt"

	"github.com/monsim/monsim/node/kvstore"
)

// Sync, provider side (Ceph's handle_sync_get_cookie / get_chunk). A full
// sync streams a point-in-time snapshot of the replicated keys taken when
// the cookie was issued, then every version committed since (snapshot +
// redo); a resumed one streams its snapshot from where the copy stopped,
// then the changes the copy lacks (provideresume.go). A recent sync streams
// versions after the requester's lc. Chunks are bounded by bytes and keys.
// A provider that is syncing itself, or that trimmed past a recent
// requester, answers NO_COOKIE.

type provision struct {
	requester int
	full      bool
	snap      *kvstore.Snapshot
	snapV     uint64   // the snapshot's version
	pos       position // how far the requester's copy has got
	nextV     uint64   // next version to send once the snapshot is done
	seq       uint64   // next chunk sequence number expected
	timer     TimerID
	touched   int64 // local time of the last request
	snapDone  bool  // the chunk completing the snapshot went out

	// A resumed sync: the changes the copy's first part lacks, and how many
	// went out; skipFirst is the ResumeSkipsBoundary bug, armed.
	resume     bool
	changes    []Change
	sentChange int
	skipFirst  bool
}

type providers struct {
	sessions map[uint64]*provision
	counter  uint64
}

func (p *providers) dropAll() { p.sessions = nil }

func (m *Monitor) handleGetCookie(msg *Msg) {
	full := msg.Has(FlagFull)
	if m.phase == PhaseSyncing || m.inSync || m.rep.active || m.pr.active {
		m.reached(ProbeProvideRefusedBusy)
		m.send(msg.From, &Msg{Type: MSyncNoCookie})
		return
	}
	if full && msg.Has(FlagResume) {
		m.handleResume(msg)
		return
	}
	if !full && msg.LC+1 < m.fc && m.fc > 1 {
		m.reached(ProbeProvideRefusedTrimmed)
		m.send(msg.From, &Msg{Type: MSyncNoCookie})
		return
	}
	s := &provision{requester: msg.From, full: full, nextV: msg.LC + 1}
	cookie := Msg{Seq: msg.Seq}
	if full {
		s.snap = m.store.Snapshot()
		s.snapV = getU64(s.snap, keyLC)
		s.nextV = s.snapV + 1
		cookie.V = s.snapV
		cookie.Hash, _ = versionIdent(s.snap, s.snapV)
	}
	m.openSession(s, &cookie)
}

// openSession registers a session and answers its cookie request.
func (m *Monitor) openSession(s *provision, cookie *Msg) {
	m.prov.counter++
	id := m.epoch<<24 + m.prov.counter
	if m.prov.sessions == nil {
		m.prov.sessions = map[uint64]*provision{}
	}
	m.prov.sessions[id] = s
	m.touchProvision(id, s)
	cookie.Type, cookie.Cookie, cookie.LC, cookie.FC = MSyncCookie, id, m.lc, m.fc
	m.send(s.requester, cookie)
}

// touchProvision (re)arms the session's expiry: twice the sync timeout.
func (m *Monitor) touchProvision(cookie uint64, s *provision) {
	s.touched = m.env.Now()
	m.env.CancelTimer(s.timer)
	s.timer = m.env.SetTimer(2*m.cfg.SyncTimeout, uint64(tProvider)|cookie<<8)
}

func (m *Monitor) expireProvision(cookie uint64) {
	if _, ok := m.prov.sessions[cookie]; ok {
		m.reached(ProbeProvideExpired)
		delete(m.prov.sessions, cookie)
	}
}

func (m *Monitor) handleGetChunk(msg *Msg) {
	s := m.prov.sessions[msg.Cookie]
	if s != nil && s.requester == msg.From && msg.Seq < s.seq {
		m.reached(ProbeProvideDuplicate)
		return // a duplicate of a request already answered
	}
	if s == nil || s.requester != msg.From || msg.Seq != s.seq || m.phase == PhaseSyncing || m.rep.active || m.pr.active {
		m.send(msg.From, &Msg{Type: MSyncNoCookie, Cookie: msg.Cookie})
		return
	}
	chunk := Msg{Type: MSyncChunk, Cookie: msg.Cookie, Seq: s.seq}
	budget := chunkBudget{bytes: m.cfg.SyncChunkBytes, keys: m.cfg.SyncChunkKeys}
	if s.full && !s.snapDone {
		m.fillPairs(s, &chunk, &budget)
		if s.pos.done() {
			fillChanges(s, &chunk, &budget)
		}
		if s.pos.done() && s.sentChange == len(s.changes) {
			chunk.Flags |= FlagSnapDone
			s.snapDone = true
		}
	}
	if s.full && s.snapDone && m.cfg.Bugs.SyncSkipRedo {
		s.nextV = m.lc + 1 // the bug: forget what committed while the snapshot streamed
	}
	if !s.full || s.snapDone {
		if s.nextV < m.fc && s.nextV <= m.lc {
			// Trimmed since the requester asked: it has to start over.
			m.reached(ProbeProvideTrimmedMidSync)
			m.env.CancelTimer(s.timer)
			delete(m.prov.sessions, msg.Cookie)
			m.send(msg.From, &Msg{Type: MSyncNoCookie, Cookie: msg.Cookie})
			return
		}
		for ; s.nextV <= m.lc && budget.left(); s.nextV++ {
			val, ok := m.store.Get(versionKey(s.nextV))
			if !ok {
				// fc..lc must all be held: a hole is a broken store, not
				// something to send a peer as if it were a version.
				m.fail(fmt.Errorf("version %d missing between first_committed %d and last_committed %d", s.nextV, m.fc, m.lc))
				return
			}
			chunk.Versions = append(chunk.Versions, Version{V: s.nextV, Value: val})
			budget.take(len(val))
		}
		if s.nextV > m.lc {
			chunk.Flags |= FlagLast
			chunk.LC, chunk.Hash = m.lc, m.stateHash
		}
	}
	s.seq++
	if chunk.Has(FlagLast) {
		m.env.CancelTimer(s.timer)
		delete(m.prov.sessions, msg.Cookie)
	} else {
		m.touchProvision(msg.Cookie, s)
	}
	m.send(msg.From, &chunk)
	m.emit(Event{Kind: EvProvide, Peer: msg.From, Full: s.full, Version: m.lc, Bytes: int64(m.cfg.SyncChunkBytes - budget.bytes)})
}

// fillPairs adds snapshot keys to a full-sync chunk, resuming after the
// last key sent.
func (m *Monitor) fillPairs(s *provision, chunk *Msg, budget *chunkBudget) {
	var src kvstore.Reader = s.snap
	if m.cfg.Bugs.ResumeNoQuiesce && s.resume {
		src = m.store // the bug: a resumed interval read as it is now, not as of s2
	}
	for !s.pos.done() && budget.left() {
		prefix := replicatedPrefixes[s.pos.prefix]
		done := true
		src.IterateFrom(prefix, s.pos.after, func(k string, v []byte) bool {
			if k == s.pos.after {
				return true
			}
			if s.skipFirst {
				s.skipFirst = false
				s.pos.after = k
				return true
			}
			if !budget.left() {
				done = false
				return false
			}
			chunk.Pairs = append(chunk.Pairs, Pair{Key: k, Value: v})
			budget.take(len(k) + len(v))
			s.pos.after = k
			return true
		})
		if done {
			s.pos = position{prefix: s.pos.prefix + 1}
		}
	}
}

// fillChanges adds a resumed sync's changes to a chunk, in order.
func fillChanges(s *provision, chunk *Msg, budget *chunkBudget) {
	for ; s.sentChange < len(s.changes) && budget.left(); s.sentChange++ {
		c := s.changes[s.sentChange]
		chunk.Changes = append(chunk.Changes, c)
		budget.take(c.size())
	}
}

type chunkBudget struct{ bytes, keys int }

func (b *chunkBudget) left() bool { return b.bytes > 0 && b.keys > 0 }
func (b *chunkBudget) take(n int) { b.bytes -= n; b.keys-- }
