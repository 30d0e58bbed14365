package node

import (
	"fmt"

	"github.com/monsim/monsim/node/kvstore"
)

// Self-repair after corruption, as patent CN114722029B describes it (the
// first of the project's recovery designs, "seed 000"), made safe. A
// monitor whose store
// will not open builds a new one in store.repair, marked {started}; copies
// the replicated state from a safe source; marks it {completed} once that
// copy is durable; then switches directories (switch.go) and rejoins.
//
// Safety. Taken literally the protocol is DeleteRebuild (in the taxonomy
// of PAR, Protocol-Aware Recovery, Alagappan et al., FAST '18), which loses
// committed data: it syncs from the first probe reply and votes at once. So
// a repairing monitor
//   - answers no probe, casts no vote, sends no ack and provides no sync
//     while its mark exists;
//   - waits for probe replies from a majority (floor(N/2)+1) of the other
//     monitors, none repairing or syncing, and syncs from the one with the
//     highest last_committed: any such set overlaps every commit quorum;
//   - after the switch stays out of elections until it has seen a quorum
//     without it in an epoch at least the highest it heard of (switch.go):
//     a committed value that the overlapping monitor had only accepted, not
//     yet committed, is then recovered by that quorum's collect before this
//     monitor can vote;
//   - never reuses copied promises: a sync copies only replicated keys.

type markState uint8

const (
	markStarted markState = iota + 1
	markCompleted
)

// mark is the repair mark kept in the new store. A completed mark vouches
// for the state the copy reached; epochSeen is the highest election epoch
// the repair heard of, the rejoin fence.
type mark struct {
	state     markState
	lc, hash  uint64
	epochSeen uint64
}

func (mk *mark) encode() []byte {
	e := encoder{}
	e.u8(uint8(mk.state))
	e.uvarint(mk.lc)
	e.uvarint(mk.hash)
	e.uvarint(mk.epochSeen)
	return e.b
}

func readMark(r kvstore.Reader) (mark, bool) {
	b, ok := r.Get(keyRepairMark)
	if !ok {
		return mark{}, false
	}
	d := decoder{b: b}
	mk := mark{state: markState(d.u8()), lc: d.uvarint(), hash: d.uvarint(), epochSeen: d.uvarint()}
	return mk, d.err == nil
}

// repairState is the repair in progress, or after a switch, the rejoin
// fence.
type repairState struct {
	active      bool // a repair mark exists: take no part in the cluster
	full        bool // this repair used a full sync
	markedEarly bool // MarkBeforeDurable already wrote the completed mark
	replies     []probeInfo
	// round names this repair's probes (the time it began, never 0): a
	// reply counts only if it answers one of them. A reply to an earlier
	// probe, delivered late, says where a peer was before this store broke
	// and may miss versions committed since.
	round       uint64
	rejoinAbove uint64 // after a switch: vote only once a quorum above this epoch formed without me
}

type probeInfo struct {
	ok     bool
	lc, fc uint64
}

// Repairing reports whether the monitor is rebuilding its store.
func (m *Monitor) Repairing() bool { return m.rep.active }

// SyncProvider is the monitor it is syncing from, or -1.
func (m *Monitor) SyncProvider() int {
	if m.sync.active {
		return m.sync.provider
	}
	return -1
}

func (c *Config) repairDir() string { return c.Dir + ".repair" }

// startRepair begins a new repair: the main store is unusable.
func (m *Monitor) startRepair(how RepairStart, why string) {
	m.env.Point(PointRepairStart)
	fs := m.env.FS()
	if m.cfg.Bugs.DeleteBeforeComplete {
		if err := removeDurably(fs, m.cfg.Dir); err != nil {
			m.fail(err)
			return
		}
	}
	rs, err := m.openDir(m.cfg.repairDir(), false) // durably created: kvstore.Open syncs its parent
	if err != nil {
		m.fail(err)
		return
	}
	m.store = rs
	if !m.writeMark(mark{state: markStarted}) {
		return
	}
	// Facts are reported as soon as they are durable, before any probe
	// point where power may be cut.
	m.emit(Event{Kind: EvRepairStart, Start: how, Detail: why})
	m.env.Point(PointRepairMarkStarted)
	m.beginRepairing()
}

// resumeRepair continues the repair a restart interrupted.
func (m *Monitor) resumeRepair() {
	rs, err := m.openDir(m.cfg.repairDir(), false)
	if err != nil && !broken(err) {
		m.fail(err) // the disk, not the copy, failed: try again later
		return
	}
	if err != nil {
		// The copy itself is damaged: throw it away and start over.
		m.reached(ProbeRepairCopyDamaged)
		if err := removeDurably(m.env.FS(), m.cfg.repairDir()); err != nil {
			m.fail(err)
			return
		}
		m.startRepair(RepairStartedOver, "store.repair failed to open: "+err.Error())
		return
	}
	m.store = rs
	mk, ok := readMark(rs)
	switch {
	case ok && mk.state == markCompleted:
		m.reached(ProbeRepairResumedSwitch)
		m.emit(Event{Kind: EvRepairStart, Start: RepairResumedCompleted, Version: mk.lc, Hash: mk.hash})
		m.switchStores(mk)
	case ok:
		m.emit(Event{Kind: EvRepairStart, Start: RepairResumed})
		m.beginRepairing()
	default:
		// Created, but the started mark never became durable.
		m.reached(ProbeRepairResumedUnmarked)
		if !m.writeMark(mark{state: markStarted}) {
			return
		}
		m.emit(Event{Kind: EvRepairStart, Start: RepairResumedUnmarked})
		m.beginRepairing()
	}
}

func (m *Monitor) beginRepairing() {
	m.rep = repairState{active: true, replies: make([]probeInfo, m.cfg.Monitors), round: uint64(m.env.Now()) + 1}
	m.run(true)
}

func (m *Monitor) writeMark(mk mark) bool {
	var b kvstore.Batch
	b.Put(keyRepairMark, mk.encode())
	return m.apply(&b, true)
}

// repairProbeReply gathers probe replies until a safe source is known.
func (m *Monitor) repairProbeReply(msg *Msg) {
	m.highestEpochSeen = max(m.highestEpochSeen, msg.Epoch)
	if msg.Has(FlagSyncing) {
		m.reached(ProbeRepairIgnoredPeer) // its data is partial
		return
	}
	if msg.Has(FlagRepairing) || msg.From < 0 || msg.From >= m.cfg.Monitors {
		return
	}
	if msg.Seq != m.rep.round && !m.cfg.Bugs.PatentLiteral {
		return // it answers a probe sent before this repair began
	}
	if m.cfg.Bugs.PatentLiteral {
		m.repairFrom(msg.From, msg.LC, msg.FC, "the first probe reply (patent-literal)")
		return
	}
	m.rep.replies[msg.From] = probeInfo{ok: true, lc: msg.LC, fc: msg.FC}
	var from []int
	best := -1
	for r, p := range m.rep.replies {
		if !p.ok {
			continue
		}
		from = append(from, r)
		if best < 0 || p.lc > m.rep.replies[best].lc {
			best = r
		}
	}
	if len(from) < m.cfg.majority() {
		return
	}
	src := m.rep.replies[best]
	m.repairFrom(best, src.lc, src.fc, fmt.Sprintf("highest lc among replies from a majority of the others %v", from))
}

// repairFrom syncs the repair store from source, or completes the repair
// if it already holds as much.
func (m *Monitor) repairFrom(source int, lc, fc uint64, why string) {
	m.env.Point(PointRepairSources)
	m.emit(Event{Kind: EvRepairSource, Peer: source, Version: lc, Detail: why})
	switch {
	case m.partial() || (m.lc < fc && fc > 1):
		m.rep.full = true
		m.startSync(source, true)
	case m.lc < lc:
		m.startSync(source, false)
	default:
		m.reached(ProbeRepairNoSyncNeeded)
		m.completeRepair()
	}
}

// completeRepair marks the copy completed, now that it is durable (every
// batch the monitor writes is synced), and switches.
func (m *Monitor) completeRepair() {
	if m.rep.markedEarly {
		m.switchStores(mark{state: markCompleted, lc: m.lc, epochSeen: max(m.highestEpochSeen, m.epoch)})
		return
	}
	mk := mark{state: markCompleted, lc: m.lc, hash: m.stateHash, epochSeen: max(m.highestEpochSeen, m.epoch)}
	if !m.writeMark(mk) {
		return
	}
	m.emit(Event{Kind: EvRepairCompleted, Version: mk.lc, Hash: mk.hash, Full: m.rep.full, Epoch: mk.epochSeen})
	m.env.Point(PointRepairMarkComplete)
	m.switchStores(mk)
}

// markEarly is the planted MarkBeforeDurable bug: vouch for the final lc
// before the last chunk is even applied.
func (m *Monitor) markEarly(finalLC, finalHash uint64) bool {
	mk := mark{state: markCompleted, lc: finalLC, hash: finalHash, epochSeen: max(m.highestEpochSeen, m.epoch)}
	if !m.writeMark(mk) {
		return false
	}
	m.emit(Event{Kind: EvRepairCompleted, Version: mk.lc, Hash: mk.hash, Full: m.rep.full, Epoch: mk.epochSeen})
	m.env.Point(PointRepairMarkComplete)
	return true
}
