package node

import (
	"github.com/monsim/monsim/node/kvstore"
)

// applyCommitted makes version v, with transaction value, part of this
// monitor's history: the version, the new last_committed and the
// transaction's effect on the service state go to the store in one synced
// batch. Only then is it reported, so the checkers see durable facts.
func (m *Monitor) applyCommitted(v uint64, value []byte) bool {
	t, err := decodeTxn(value)
	if err != nil {
		m.fail(err)
		return false
	}
	var b kvstore.Batch
	b.SetLSN(v) // the version is each page's LSN: a page that holds it already is left alone
	b.Put(versionKey(v), value)
	b.Put(keyLC, u64(v))
	fc := m.fc
	if fc == 0 {
		fc = v
		b.Put(keyFC, u64(fc))
	}
	hash := m.stateHash
	overlay := map[string][]byte{} // keys this batch already wrote
	current := func(key string) ([]byte, bool) {
		if val, ok := overlay[key]; ok {
			return val, val != nil
		}
		return m.store.Get(key)
	}
	set := func(key string, val []byte) {
		if old, ok := current(key); ok {
			hash -= pairHash(key, old)
		}
		if val != nil {
			hash += pairHash(key, val)
			b.Put(key, val)
		} else {
			b.Delete(key)
		}
		overlay[key] = val
	}
	trimmedTo := uint64(0)
	events := eventApply{get: current, set: set, held: func() bool { return m.eventsPageHolds(v) }}
	for i := range t.ops {
		op := &t.ops[i]
		switch op.kind {
		case txPut:
			set(prefixKV+op.key, op.value)
		case txDelete:
			set(prefixKV+op.key, nil)
		case txDeletePrefix:
			for _, k := range m.keysWithPrefix("", prefixKV+op.key, overlay) {
				set(k, nil)
			}
		case txResult:
			r := op.result
			r.version = v
			var e encoder
			r.encode(&e)
			set(clientKey(r.client), e.b)
		case txTrim:
			if op.trim > fc {
				for old := fc; old < op.trim; old++ {
					b.Delete(versionKey(old))
				}
				fc, trimmedTo = op.trim, op.trim
				b.Put(keyFC, u64(fc))
			}
		case txEvent:
			events.record(op.event)
		case txEventTrim:
			events.trim(op.trim)
		}
	}
	if events.finish(); events.err != nil {
		m.fail(events.err)
		return false
	}
	if m.pendingV != 0 && m.pendingV <= v {
		clearPending(&b)
	}
	if m.vec.dirty {
		b.Put(keyLSNVectors, m.vec.encode()) // stored with the state, in a batch written anyway
	}
	if !m.apply(&b, true) {
		return false
	}
	m.vec.dirty = false
	if m.pendingV != 0 && m.pendingV <= v {
		m.pendingV, m.pendingPN, m.pendingVal = 0, 0, nil
	}
	m.lc, m.fc, m.stateHash = v, fc, hash
	// Pages installed at later versions: the hash, kept up one version at a
	// time, claims nothing until the page repair checks in.
	m.emit(Event{Kind: EvApply, Version: v, Hash: hash, FC: fc, Mixed: m.pr.active})
	if trimmedTo != 0 {
		m.emit(Event{Kind: EvTrim, FC: fc, Version: v})
	}
	m.recorded(&events)
	if m.pr.active {
		m.caughtUp(m.pagesAhead())
	}
	return true
}

// lookupResult reads the replicated outcome of client c's last write.
func (m *Monitor) lookupResult(c uint64) (clientResult, bool) {
	b, ok := m.store.Get(clientKey(c))
	if !ok {
		return clientResult{}, false
	}
	d := decoder{b: b}
	var r clientResult
	r.decode(&d)
	return r, d.err == nil
}
