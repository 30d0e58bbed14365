package node

import (
	"errors"
	"fmt"

	"github.com/monsim/monsim/node/kvstore"
)

// Boot: which store a monitor opens decides whether it may start as usual.
//
//   - A repair directory (store.repair) means a repair is under way: resume
//     it, whatever the main store looks like.
//   - Otherwise open the main store, retrying a few times. If it opens and
//     holds no repair mark, start as usual: the only case that does. If it
//     holds a completed mark, a switch was interrupted after its rename:
//     finish it. If it will not open, or is missing after the monitor was
//     created, start a repair.
//
// A missing main store is created only at mkfs (Config.Mkfs): a monitor
// that once had a store never silently starts over with an empty one.

// errStoreMissing is the open error for a main store that is not there.
var errStoreMissing = errors.New("store directory missing")

// broken says whether an open error means the store itself is damaged (so
// only a repair helps), rather than that the disk failed to answer.
func broken(err error) bool {
	return errors.Is(err, kvstore.ErrCorrupt) || errors.Is(err, errStoreMissing)
}

// Start boots the monitor and, once it has a usable store, starts probing.
func (m *Monitor) Start() {
	m.bootAt = m.env.Now()
	repairing, err := exists(m.env.FS(), m.cfg.repairDir())
	if repairing {
		m.resumeRepair()
		return
	}
	var s *kvstore.Store
	if err == nil {
		s, err = m.openMain()
	}
	if err != nil {
		if !broken(err) {
			// An I/O error says nothing about the data: stop, as ceph-mon
			// would, and let the service manager try again later.
			m.reached(ProbeOpenIOError)
			m.fail(err)
			return
		}
		m.emit(Event{Kind: EvStoreFailed, Detail: err.Error()})
		m.startRepair(RepairFresh, "store failed to open: "+err.Error())
		return
	}
	m.store = s
	if len(s.Damaged()) > 0 {
		m.env.Point(PointPageRepairStart)
		if why := m.pageRepairRefused(s); why != "" {
			m.store = nil
			m.fallBack(s, why)
			return
		}
	}
	if mk, ok := readMark(s); ok {
		if mk.state != markCompleted {
			m.fail(fmt.Errorf("main store holds a repair mark in state %d", mk.state))
			return
		}
		m.reached(ProbeSwitchAtBoot)
		m.finishSwitch(mk) // the rename happened; the mark delete did not
		return
	}
	m.run(false)
}

// openMain opens the main store, retrying a few times as ceph-mon's
// service manager would restart it.
func (m *Monitor) openMain() (*kvstore.Store, error) {
	if !m.cfg.Mkfs {
		there, err := exists(m.env.FS(), m.cfg.Dir)
		if err != nil {
			return nil, err // the disk failed to answer: nothing is known of the store
		}
		if !there {
			m.reached(ProbeMainStoreAbsent)
			return nil, errStoreMissing
		}
	}
	return m.openDir(m.cfg.Dir, !m.cfg.NoPageRepair)
}

// openDir opens a store; with pages, damage inside a page of its
// checkpoint is reported as that page (Store.Damaged), not as corruption.
func (m *Monitor) openDir(dir string, pages bool) (*kvstore.Store, error) {
	var err error
	for range m.cfg.OpenRetries {
		var s *kvstore.Store
		if s, err = kvstore.Open(m.env.FS(), dir, m.storeOptions(pages)); err == nil {
			return s, nil
		}
	}
	return nil, err
}

func (m *Monitor) storeOptions(pages bool) kvstore.Options {
	o := m.cfg.Store
	o.Point = func(p kvstore.Point) { m.env.Point(Point(p)) }
	o.Reached = func(p kvstore.CodeProbe) { m.env.Reached(CodeProbe(p)) }
	o.IgnoreSyncErrors = m.cfg.Bugs.IgnoreFsyncError
	o.PageBounds = pageBounds()
	o.AllowDamagedPages = pages
	o.IgnorePageLSNOnRedo = m.cfg.Bugs.PageRedoIgnoresLSN
	o.TrustDirEntry = m.cfg.Bugs.SkipDirSync
	return o
}

// run loads the open store's state, reports it and starts probing. isCopy
// says the store is a repair's copy, not the main store.
func (m *Monitor) run(isCopy bool) {
	if err := m.load(true); err != nil {
		m.fail(err)
		return
	}
	m.bootFresh = m.epoch == 0 && !m.rep.active
	m.emit(Event{Kind: EvStoreOpen, Version: m.lc, FC: m.fc, Hash: m.stateHash, Epoch: m.epoch,
		PN: m.acceptedPN, Pending: m.pendingV, PendingPN: m.pendingPN, Copy: isCopy, Mixed: m.pr.active, Partial: m.inSync})
	for _, p := range m.pr.damaged {
		m.emit(Event{Kind: EvPageDamaged, Page: p, Version: m.lc})
	}
	if m.cfg.Mkfs && m.store.Info().New && len(m.cfg.Preload) > 0 && !m.preload() {
		return
	}
	m.bootstrap()
}

// preload commits Config.Preload as version 1 of a new store.
func (m *Monitor) preload() bool {
	var t txn
	for _, p := range m.cfg.Preload {
		t.ops = append(t.ops, txnOp{kind: txPut, key: p.Key, value: p.Value})
	}
	return m.applyCommitted(1, t.encode())
}

// load reads the persisted state. A store left mid full sync keeps its
// partial copy, still marked in-sync, for the sync to resume (resume.go);
// one with nothing copied yet is cleared. Either way its contents are never
// taken for a real history. A store with damaged pages, or pages ahead of
// its lc, holds no version's state: it has no state hash until the page
// repair is done.
func (m *Monitor) load(atBoot bool) error {
	s := m.store
	m.fc, m.lc = getU64(s, keyFC), getU64(s, keyLC)
	m.epoch = getU64(s, keyEpoch)
	m.acceptedPN, m.lastPN = getU64(s, keyAcceptedPN), getU64(s, keyLastPN)
	m.pendingV, m.pendingPN = getU64(s, keyPendingV), getU64(s, keyPendingPN)
	m.pendingVal, _ = s.Get(keyPendingVal)
	m.floor = getU64(s, keySyncFloor)
	m.rep.rejoinAbove = getU64(s, keyRejoinAbove)
	if getU64(s, keyInSync) != 0 {
		m.prog = readProgress(s)
		if !m.cfg.NoResume && !m.prog.copiedNothing() {
			m.reached(ProbePartialCopyKept)
			m.inSync = true
		} else if err := m.clearPartial(); err != nil {
			return err
		}
	}
	m.vec = lsnVectors{}
	if b, ok := s.Get(keyLSNVectors); ok {
		m.vec.decode(b, m.cfg.Monitors, len(s.Pages()))
	} else {
		m.vec.init(m.cfg.Monitors, len(s.Pages()))
	}
	m.loadPageRepair(atBoot)
	m.stateHash = 0
	if !m.pr.active {
		m.stateHash = computeStateHash(s)
	}
	return nil
}

// clearPartial throws away a partial copy found at boot. The floor keeps it
// partial until a full sync finishes; the progress record keeps only how
// far the sync ever got.
func (m *Monitor) clearPartial() error {
	prog := progress{provider: -1, high: m.prog.high}
	var b kvstore.Batch
	for _, p := range replicatedPrefixes {
		b.DeletePrefix(p)
	}
	b.Delete(keyInSync)
	b.Put(keySyncProgress, prog.encode())
	clearPending(&b)
	if err := m.store.Apply(&b, true); err != nil {
		return err
	}
	m.prog = prog
	m.fc, m.lc, m.pendingV, m.pendingPN, m.pendingVal = 0, 0, 0, 0, nil
	m.reached(ProbeInSyncCleared)
	m.emit(Event{Kind: EvMarkedClear, Detail: "in-sync marker found at boot"})
	return nil
}
