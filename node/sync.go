package node

import (
	"github.com/monsim/monsim/node/kvstore"
)

// Sync, requester side (Ceph's sync_start / handle_sync_chunk): ask a
// provider for a cookie, then pull chunks until the last one. A full sync
// first marks the store in-sync, raises the sync floor and clears the
// replicated state in one transaction; until a full sync completes the
// monitor does nothing but sync: it never votes with a partial store. Each
// chunk's keys go to the store together with how far the copy got
// (progress.go), so a full sync that breaks off resumes where it stopped
// (resume.go), after a restart too. A recent sync applies versions one by
// one, so a crash leaves an older but consistent store. A timeout or
// NO_COOKIE sends the requester back to probing, where it may pick another
// provider.

type syncing struct {
	active   bool
	provider int
	full     bool
	cookie   uint64
	next     uint64 // the chunk sequence number expected next
	skipped  bool   // RecentOffByOne has struck

	// nonce tells this attempt's cookie (or refusal) from an earlier
	// attempt's, delayed: the local time the attempt began.
	nonce uint64
	// A full sync: the provider's snapshot (S, or s2 for a resume) and the
	// identity of its version, TxnHash of version at.
	at, ident uint64
	asked     bool     // a resume was asked for (resume.go)
	resumed   bool     // and the provider agreed
	boundary  position // a resume: how far the copy had got when it was asked
	base, top uint64   // and the versions its keys were taken at
}

func (m *Monitor) startSync(provider int, full bool) {
	m.leaveRoles()
	m.prov.dropAll()
	m.sync = syncing{active: true, provider: provider, full: full, nonce: uint64(m.env.Now())}
	m.setPhase(PhaseSyncing)
	m.emit(Event{Kind: EvSyncStart, Peer: provider, Full: full, Version: m.lc})
	req := &Msg{Type: MSyncGetCookie, LC: m.lc, Seq: m.sync.nonce}
	if full {
		req.Flags = FlagFull
		m.resumeRequest(req)
	}
	m.send(provider, req)
	m.arm(tSync, m.cfg.SyncTimeout)
}

func (m *Monitor) stepSync(msg *Msg) {
	if m.phase != PhaseSyncing || msg.From != m.sync.provider {
		return
	}
	switch msg.Type {
	case MSyncNoCookie:
		if msg.Has(FlagResume) {
			if m.sync.asked && m.sync.cookie == 0 && msg.Seq == m.sync.nonce {
				m.resumeRefused(ResumeRefusal(msg.V))
			}
			return
		}
		m.reached(ProbeSyncNoCookie)
		m.abortSync("provider said no cookie")
	case MSyncCookie:
		if msg.Seq != m.sync.nonce {
			// An earlier attempt's answer, late: its session may be of
			// another kind (a resume from another point, or none).
			m.reached(ProbeSyncStaleCookie)
			return
		}
		if m.sync.cookie == 0 {
			m.handleCookie(msg)
		}
	case MSyncChunk:
		if msg.Cookie != m.sync.cookie || msg.Seq != m.sync.next {
			m.reached(ProbeSyncChunkUnexpected) // a duplicate, or one from an abandoned session
			return
		}
		m.handleChunk(msg)
	}
}

func (m *Monitor) handleCookie(msg *Msg) {
	if m.sync.full && msg.Has(FlagResume) && m.sync.asked {
		m.resumeAccepted(msg)
		return
	}
	if m.sync.full && !m.startCopy(msg) {
		return
	}
	m.sync.cookie = msg.Cookie
	m.requestChunk()
}

// startCopy begins a full sync from nothing. The floor is the history this
// monitor once held, and at least 1: once cleared for a full sync, the
// store is partial until one finishes, even if it held nothing before (its
// accepted value went with the clear). A store still marked in-sync holds a
// partial copy whose lc it never held: an abandoned sync must not raise the
// floor to it.
func (m *Monitor) startCopy(msg *Msg) bool {
	floor := max(m.floor, 1)
	if !m.inSync {
		floor = max(floor, m.lc)
	} else {
		m.reached(ProbeFullSyncRestarted)
	}
	prog := progress{base: msg.V, top: msg.V, ident: msg.Hash, provider: msg.From, high: m.prog.high}
	var b kvstore.Batch
	b.Put(keyInSync, u64(1))
	b.Put(keySyncFloor, u64(floor))
	b.Put(keySyncProgress, prog.encode())
	for _, p := range replicatedPrefixes {
		b.DeletePrefix(p)
	}
	clearPending(&b)
	if !m.apply(&b, true) {
		return false
	}
	m.floor, m.inSync, m.prog = floor, true, prog
	m.fc, m.lc, m.stateHash = 0, 0, 0
	m.pendingV, m.pendingPN, m.pendingVal = 0, 0, nil
	m.sync.at, m.sync.ident = msg.V, msg.Hash
	m.emit(Event{Kind: EvMarkedClear, Detail: "full sync start"})
	return true
}

func (m *Monitor) requestChunk() {
	m.send(m.sync.provider, &Msg{Type: MSyncGetChunk, Cookie: m.sync.cookie, Seq: m.sync.next})
	m.arm(tSync, m.cfg.SyncTimeout)
}

func (m *Monitor) handleChunk(msg *Msg) {
	if m.rep.active && m.cfg.Bugs.MarkBeforeDurable && msg.Has(FlagLast) && !m.rep.markedEarly {
		if !m.markEarly(msg.LC, msg.Hash) {
			return
		}
		m.rep.markedEarly = true
	}
	if m.sync.full && (len(msg.Pairs) > 0 || len(msg.Changes) > 0 || msg.Has(FlagSnapDone)) && !m.writeCopy(msg) {
		return
	}
	for _, v := range msg.Versions {
		if m.cfg.Bugs.RecentOffByOne && !m.sync.full && !m.sync.skipped && v.V == m.lc+1 {
			m.sync.skipped = true
			m.lc = v.V // skip it, yet count it as applied
			continue
		}
		if v.V == m.lc+1 && !m.applyCommitted(v.V, v.Value) {
			return
		}
	}
	m.emit(Event{Kind: EvSyncChunk, Peer: m.sync.provider, Version: m.lc, Full: m.sync.full, Bytes: msg.stateBytes()})
	m.env.Point(PointSyncChunkApplied)
	if m.rep.active {
		m.env.Point(PointRepairSyncChunk)
	}
	if !msg.Has(FlagLast) {
		m.sync.next++
		m.requestChunk()
		return
	}
	m.finishSync(msg.LC)
}

// writeCopy stores a full-sync chunk's keys and changes, and how far the
// copy got, in one batch. The snapshot install moves lc without applying
// versions one by one.
func (m *Monitor) writeCopy(msg *Msg) bool {
	var b kvstore.Batch
	prog := m.prog
	var resent int64
	for _, p := range msg.Pairs {
		if !isReplicatedKey(p.Key) {
			continue // a provider may only send replicated state
		}
		b.Put(p.Key, p.Value)
		if m.prog.high.covers(p.Key) {
			resent += int64(len(p.Key) + len(p.Value))
		}
		prog.copied = positionAfter(p.Key)
	}
	for i := range msg.Changes {
		m.addChange(&b, &msg.Changes[i])
	}
	if len(msg.Pairs) > 0 || len(msg.Changes) > 0 {
		prog.top = max(prog.top, m.sync.at) // some keys are now as of the provider's snapshot
	}
	if msg.Has(FlagSnapDone) {
		prog.copied, prog.base, prog.top, prog.ident = endPosition(), m.sync.at, m.sync.at, m.sync.ident
	}
	if m.prog.high.before(prog.copied) {
		prog.high = prog.copied
	}
	prog.provider = m.sync.provider
	b.Put(keySyncProgress, prog.encode())
	if !m.apply(&b, true) {
		return false
	}
	m.prog = prog
	m.fc, m.lc = getU64(m.store, keyFC), getU64(m.store, keyLC)
	m.emit(Event{Kind: EvSyncChunk, Peer: m.sync.provider, Version: m.lc, Full: true, Detail: "snapshot", Resent: resent})
	if msg.Has(FlagSnapDone) {
		m.stateHash = computeStateHash(m.store)
		if m.sync.resumed {
			m.resumedAtSnapshot()
		}
	}
	return true
}

// addChange adds one change of a resumed sync to b. Only replicated keys
// may change, and a range only within one replicated prefix.
func (m *Monitor) addChange(b *kvstore.Batch, c *Change) {
	if !isReplicatedKey(c.Key) {
		return
	}
	switch c.Kind {
	case ChangePut:
		b.Put(c.Key, c.Value)
	case ChangeDelete:
		b.Delete(c.Key)
	case ChangeDeleteRange:
		prefix := replicatedPrefixes[prefixIndex(c.Key)]
		m.store.IterateFrom(prefix, c.Key, func(k string, _ []byte) bool {
			if k >= c.End {
				return false
			}
			b.Delete(k)
			return true
		})
	}
}

func isReplicatedKey(key string) bool { return prefixIndex(key) < len(replicatedPrefixes) }

func (m *Monitor) finishSync(providerLC uint64) {
	if m.sync.full {
		var b kvstore.Batch
		b.Delete(keyInSync)
		b.Delete(keySyncFloor)
		b.Delete(keySyncProgress)
		if !m.apply(&b, true) {
			return
		}
		m.floor, m.inSync, m.prog = 0, false, emptyProgress()
	}
	m.emit(Event{Kind: EvSyncFinish, Peer: m.sync.provider, Full: m.sync.full, Version: m.lc, Hash: m.stateHash, FC: providerLC})
	if m.sync.full {
		m.env.Point(PointSyncFinished)
	}
	m.sync = syncing{}
	if m.rep.active {
		m.completeRepair()
		return
	}
	m.bootstrap()
}

func (m *Monitor) abortSync(why string) {
	if m.sync.full && m.sync.next > 0 {
		m.reached(ProbeFullSyncAborted)
	}
	m.emit(Event{Kind: EvSyncAbort, Peer: m.sync.provider, Detail: why})
	m.sync = syncing{}
	m.bootstrap()
}
