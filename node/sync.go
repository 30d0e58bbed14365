package node

import (
	"strings"

	"github.com/monsim/monsim/node/kvstore"
)

// Sync, requester side (Ceph's sync_start / handle_sync_chunk): ask a
// provider for a cookie, then pull chunks until the last one. A full sync
// first marks the store in-sync, raises the sync floor and clears the
// replicated state in one transaction; a restart that finds the mark
// discards the partial copy, and until a full sync completes the monitor
// does nothing but sync again: it never votes with a partial store. A recent sync applies versions one by one, so
// a crash leaves an older but consistent store. A timeout or NO_COOKIE sends
// the requester back to probing, where it may pick another provider.

type syncing struct {
	active   bool
	provider int
	full     bool
	cookie   uint64
	next     uint64 // the chunk sequence number expected next
	skipped  bool   // RecentOffByOne has struck
}

func (m *Monitor) startSync(provider int, full bool) {
	m.leaveRoles()
	m.prov.dropAll()
	m.sync = syncing{active: true, provider: provider, full: full}
	m.setPhase(PhaseSyncing)
	m.emit(Event{Kind: EvSyncStart, Peer: provider, Full: full, Version: m.lc})
	var flags uint8
	if full {
		flags = FlagFull
	}
	m.send(provider, &Msg{Type: MSyncGetCookie, Flags: flags, LC: m.lc})
	m.arm(tSync, m.cfg.SyncTimeout)
}

func (m *Monitor) stepSync(msg *Msg) {
	if m.phase != PhaseSyncing || msg.From != m.sync.provider {
		return
	}
	switch msg.Type {
	case MSyncNoCookie:
		m.reached(ProbeSyncNoCookie)
		m.abortSync("provider said no cookie")
	case MSyncCookie:
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
	if m.sync.full {
		// The floor is the history this monitor once held, and at least 1:
		// once cleared for a full sync, the store is partial until one
		// finishes, even if it held nothing before (its accepted value went
		// with the clear). A store still marked in-sync holds a partial copy
		// whose lc it never held: an abandoned sync must not raise the floor
		// to it.
		floor := max(m.floor, 1)
		if !m.inSync {
			floor = max(floor, m.lc)
		} else {
			m.reached(ProbeFullSyncRestarted)
		}
		var b kvstore.Batch
		b.Put(keyInSync, u64(1))
		b.Put(keySyncFloor, u64(floor))
		for _, p := range replicatedPrefixes {
			b.DeletePrefix(p)
		}
		clearPending(&b)
		if !m.apply(&b, true) {
			return
		}
		m.floor, m.inSync = floor, true
		m.fc, m.lc, m.stateHash = 0, 0, 0
		m.pendingV, m.pendingPN, m.pendingVal = 0, 0, nil
		m.emit(Event{Kind: EvMarkedClear, Detail: "full sync start"})
	}
	m.sync.cookie = msg.Cookie
	m.requestChunk()
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
	if len(msg.Pairs) > 0 {
		if !m.writePairs(msg.Pairs) {
			return
		}
		// The snapshot install moves lc without applying versions one by one.
		m.emit(Event{Kind: EvSyncChunk, Peer: m.sync.provider, Version: m.lc, Full: true, Detail: "snapshot"})
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

// writePairs stores a full-sync chunk's raw keys.
func (m *Monitor) writePairs(pairs []Pair) bool {
	var b kvstore.Batch
	hash := m.stateHash
	for _, p := range pairs {
		if !isReplicatedKey(p.Key) {
			continue // a provider may only send replicated state
		}
		b.Put(p.Key, p.Value)
		if isStateKey(p.Key) {
			hash += pairHash(p.Key, p.Value)
		}
	}
	if !m.apply(&b, true) {
		return false
	}
	m.stateHash = hash
	m.fc, m.lc = getU64(m.store, keyFC), getU64(m.store, keyLC)
	return true
}

func isReplicatedKey(key string) bool {
	for _, p := range replicatedPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (m *Monitor) finishSync(providerLC uint64) {
	if m.sync.full {
		var b kvstore.Batch
		b.Delete(keyInSync)
		b.Delete(keySyncFloor)
		if !m.apply(&b, true) {
			return
		}
		m.floor, m.inSync = 0, false
	}
	m.emit(Event{Kind: EvSyncFinish, Peer: m.sync.provider, Full: m.sync.full, Version: m.lc, Hash: m.stateHash, FC: providerLC})
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
