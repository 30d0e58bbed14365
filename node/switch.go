package node

import (
	"errors"
	"os"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/monsim/monsim/node/kvstore"
)

// The switch turns a completed repair copy into the monitor's store: close
// the copy, remove the damaged store, rename store.repair to store, sync the
// parent directory, open the store and delete the mark. At every step a
// complete store exists on disk: the damaged one until the mark said
// completed, the copy after; a restart at any step finds its way (boot.go).

func (m *Monitor) switchStores(mk mark) {
	fs := m.env.FS()
	if err := m.store.Close(); err != nil {
		m.fail(err)
		return
	}
	m.store = nil
	m.env.Point(PointRepairBeforeRemove)
	if err := fs.RemoveAll(m.cfg.Dir); err != nil {
		m.fail(err)
		return
	}
	m.env.Point(PointRepairAfterRemove)
	if err := fs.Rename(m.cfg.repairDir(), m.cfg.Dir); err != nil {
		m.fail(err)
		return
	}
	m.env.Point(PointRepairAfterRename)
	if !m.cfg.Bugs.SkipDirSync {
		if err := syncDir(fs, fs.PathDir(m.cfg.Dir)); err != nil {
			m.fail(err)
			return
		}
	}
	s, err := m.openDir(m.cfg.Dir, false)
	if err != nil {
		m.fail(err)
		return
	}
	m.store = s
	m.finishSwitch(mk)
}

// finishSwitch deletes the mark, arms the rejoin fence and starts the
// monitor on its new store.
func (m *Monitor) finishSwitch(mk mark) {
	fence := mk.epochSeen
	if m.cfg.Bugs.PatentLiteral {
		fence = 0 // the literal protocol votes as soon as the switch is done
	}
	var b kvstore.Batch
	b.Delete(keyRepairMark)
	b.Put(keyEpoch, u64(mk.epochSeen))
	if fence > 0 {
		b.Put(keyRejoinAbove, u64(fence))
	}
	if !m.apply(&b, true) {
		return
	}
	m.rep = repairState{}
	m.emit(Event{Kind: EvRepairSwitched, Version: getU64(m.store, keyLC), Hash: computeStateHash(m.store), Epoch: fence})
	m.env.Point(PointRepairMarkDeleted)
	m.run(false)
}

// fenced says whether a repaired monitor must still stay out of elections.
func (m *Monitor) fenced() bool { return m.rep.rejoinAbove > 0 }

// maybeLiftFence lifts the rejoin fence once a probe reply shows an
// established quorum without this monitor, in an epoch at least the highest
// the repair heard of. Such a quorum formed after this monitor last
// belonged to one (its epoch is at least that membership's, and a quorum of
// the same epoch would include it), so its collect recovered every value
// this monitor may have accepted and then lost with its store.
func (m *Monitor) maybeLiftFence(msg *Msg) {
	if !m.fenced() || !msg.Has(FlagInQuorum) || msg.Epoch < m.rep.rejoinAbove || msg.Quorum&(1<<m.cfg.Rank) != 0 {
		return
	}
	var b kvstore.Batch
	b.Delete(keyRejoinAbove)
	if !m.apply(&b, true) {
		return
	}
	m.reached(ProbeRejoinFenceLifted)
	m.emit(Event{Kind: EvRepairRejoined, Epoch: msg.Epoch, Peer: msg.From})
	m.rep.rejoinAbove = 0
}

// exists says whether path is there. Any other error is the disk failing
// to answer, which says nothing about the store: taken for "not there", it
// would start a repair of a store that is fine.
func exists(fs vfs.FS, path string) (bool, error) {
	_, err := fs.Stat(path)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return err == nil, nil
	}
	return false, err
}

// syncDir makes dir's entries durable.
func syncDir(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// removeDurably removes dir and syncs its parent.
func removeDurably(fs vfs.FS, dir string) error {
	if err := fs.RemoveAll(dir); err != nil {
		return err
	}
	return syncDir(fs, fs.PathDir(dir))
}
