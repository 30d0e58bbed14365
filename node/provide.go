package node

import (
	"fmt"

	"github.com/monsim/monsim/node/kvstore"
)

// Sync, provider side (Ceph's handle_sync_get_cookie / get_chunk). A full
// sync streams a point-in-time snapshot of the replicated keys taken when
// the cookie was issued, then every version committed since (snapshot +
// redo); a recent sync streams versions after the requester's lc. Chunks
// are bounded by bytes and keys. A provider that is syncing itself, or that
// trimmed past a recent requester, answers NO_COOKIE.

type provision struct {
	requester int
	full      bool
	snap      *kvstore.Snapshot
	prefix    int    // index into replicatedPrefixes still being streamed
	after     string // last key sent
	nextV     uint64 // next version to send once the snapshot is done
	seq       uint64 // next chunk sequence number expected
	timer     TimerID
	touched   int64 // local time of the last request
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
	if !full && msg.LC+1 < m.fc && m.fc > 1 {
		m.reached(ProbeProvideRefusedTrimmed)
		m.send(msg.From, &Msg{Type: MSyncNoCookie})
		return
	}
	m.prov.counter++
	cookie := m.epoch<<24 + m.prov.counter
	s := &provision{requester: msg.From, full: full, nextV: msg.LC + 1}
	if full {
		s.snap = m.store.Snapshot()
		s.nextV = getU64(s.snap, keyLC) + 1
	}
	if m.prov.sessions == nil {
		m.prov.sessions = map[uint64]*provision{}
	}
	m.prov.sessions[cookie] = s
	m.touchProvision(cookie, s)
	m.send(msg.From, &Msg{Type: MSyncCookie, Cookie: cookie, LC: m.lc, FC: m.fc})
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
	if s.full {
		m.fillPairs(s, &chunk, &budget)
	}
	if s.full && s.prefix == len(replicatedPrefixes) && m.cfg.Bugs.SyncSkipRedo {
		s.nextV = m.lc + 1 // the bug: forget what committed while the snapshot streamed
	}
	if !s.full || s.prefix == len(replicatedPrefixes) {
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
	m.emit(Event{Kind: EvProvide, Peer: msg.From, Full: s.full, Version: m.lc})
}

// fillPairs adds snapshot keys to a full-sync chunk, resuming after the
// last key sent.
func (m *Monitor) fillPairs(s *provision, chunk *Msg, budget *chunkBudget) {
	for s.prefix < len(replicatedPrefixes) && budget.left() {
		prefix := replicatedPrefixes[s.prefix]
		done := true
		s.snap.IterateFrom(prefix, s.after, func(k string, v []byte) bool {
			if k == s.after {
				return true
			}
			if !budget.left() {
				done = false
				return false
			}
			chunk.Pairs = append(chunk.Pairs, Pair{Key: k, Value: v})
			budget.take(len(k) + len(v))
			s.after = k
			return true
		})
		if done {
			s.prefix++
			s.after = ""
		}
	}
}

type chunkBudget struct{ bytes, keys int }

func (b *chunkBudget) left() bool { return b.bytes > 0 && b.keys > 0 }
func (b *chunkBudget) take(n int) { b.bytes -= n; b.keys-- }
