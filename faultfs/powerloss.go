package faultfs

import (
	"fmt"
	"maps"
	"slices"
)

// PowerMode is what a power loss does to data the disk had not yet, or had
// only apparently, made durable.
type PowerMode int

const (
	// Honest keeps exactly the synced state.
	Honest PowerMode = iota
	// Torn also keeps a random prefix of each file's unsynced writes, the
	// last one possibly cut at a sector, and each unsynced directory
	// operation with probability 1/2.
	Torn
	// Lying does what Torn does and also loses or tears older synced writes
	// still in each file's lying window, as a volatile write cache would.
	Lying
)

var modeNames = [...]string{Honest: "honest", Torn: "torn", Lying: "lying"}

func (m PowerMode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("PowerMode(%d)", int(m))
}

// MarshalText writes the mode's name.
func (m PowerMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a mode's name; an unknown name is an error.
func (m *PowerMode) UnmarshalText(b []byte) error {
	for i, name := range modeNames {
		if name == string(b) {
			*m = PowerMode(i)
			return nil
		}
	}
	return fmt.Errorf("unknown power-loss mode %q (honest, torn or lying)", b)
}

// Chances of the random power-loss outcomes.
const (
	entryKeepChance = 0.5  // an unsynced directory operation survives
	tornCutChance   = 0.5  // the last kept unsynced write is cut at a sector
	tornZeroChance  = 0.5  // and its cut-off part still extends the file, as zeros
	lyingLoseChance = 0.25 // an older synced write in the window is lost
	lyingTearChance = 0.25 // otherwise, it is cut at a sector
)

// Crash models a process crash: every file byte and directory entry stays as
// it is (the page cache survives), every open handle becomes stale and every
// lock is released.
func (fs *FS) Crash() {
	fs.fault(Fault{Kind: "crash", Detail: "process crash"})
	fs.dropHandles()
}

func (fs *FS) dropHandles() {
	fs.epoch++
	clear(fs.locks)
}

// PowerLoss cuts power. What survives, chosen by m and the disk's stream,
// becomes the new durable state; handles become stale and locks are
// released as in Crash. It reports a "power-loss" fault, then one fault per
// torn or lost write.
func (fs *FS) PowerLoss(m PowerMode) {
	pl := &powerLoss{
		fs:       fs,
		mode:     m,
		keepOp:   make(map[uint64]bool),
		seenDir:  map[*inode]bool{fs.root: true},
		seenFile: make(map[*inode]bool),
	}
	pl.visitDir(fs.root, "")
	if m == Lying {
		pl.forceLyingLoss()
	}
	pl.report()
	pl.apply()
	fs.dropHandles()
}

// powerLoss plans a power loss over the tree that survives it, then applies
// the plan. Planning walks directories in sorted order, so the draws, and
// with them the outcome, depend on the seed alone.
type powerLoss struct {
	fs       *FS
	mode     PowerMode
	keepOp   map[uint64]bool // torn decisions per directory operation id
	seenDir  map[*inode]bool
	seenFile map[*inode]bool
	dirs     []dirPlan
	files    []*filePlan

	lostEntryOps int
}

type dirPlan struct {
	n       *inode
	entries map[string]*inode
}

// filePlan is what survives of one file.
type filePlan struct {
	n    *inode
	path string // the first surviving path to it
	// keep is how many unsynced writes survive, a prefix in write order.
	keep int
	// cut >= 0 cuts the last kept write at that file offset, a sector
	// boundary; zeros says its cut-off part still extends the file.
	cut   int64
	zeros bool
	// damage lists synced writes a lying disk lost or tore, by log index.
	damage []damage
}

type damage struct {
	idx int
	cut int64 // < 0: lost whole
}

func (pl *powerLoss) visitDir(n *inode, p string) {
	entries := pl.surviving(n.dir)
	pl.dirs = append(pl.dirs, dirPlan{n: n, entries: entries})
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		child, cp := entries[name], joinPath(p, name)
		switch {
		case child.isDir() && pl.seenDir[child]:
			// Lost renames can leave a directory under two names, or inside
			// itself; the first name in walk order keeps it.
			delete(entries, name)
		case child.isDir():
			pl.seenDir[child] = true
			pl.visitDir(child, cp)
		case !pl.seenFile[child]:
			pl.seenFile[child] = true
			pl.planFile(child, cp)
		}
	}
}

// surviving returns a directory's entries after the power loss.
func (pl *powerLoss) surviving(d *dirState) map[string]*inode {
	entries := maps.Clone(d.durable)
	if entries == nil {
		entries = make(map[string]*inode)
	}
	if pl.mode == Honest {
		pl.lostEntryOps += len(d.pending)
		return entries
	}
	for _, op := range d.pending {
		keep, decided := pl.keepOp[op.id]
		if !decided {
			keep = pl.fs.rand.Chance(entryKeepChance)
			pl.keepOp[op.id] = keep
		}
		switch {
		case !keep:
			pl.lostEntryOps++
		case op.ino == nil:
			delete(entries, op.name)
		default:
			entries[op.name] = op.ino
		}
	}
	return entries
}

func (pl *powerLoss) planFile(n *inode, p string) {
	d, rand := &n.data, pl.fs.rand
	fp := &filePlan{n: n, path: p, cut: -1}
	pl.files = append(pl.files, fp)
	if pl.mode == Honest {
		return
	}
	if pl.mode == Lying {
		// The newest synced write always survives.
		for i := range d.synced - 1 {
			switch {
			case rand.Chance(lyingLoseChance):
				fp.damage = append(fp.damage, damage{idx: i, cut: -1})
			case rand.Chance(lyingTearChance):
				cut, ok := pl.sectorCut(d.log[i])
				if !ok {
					cut = -1
				}
				fp.damage = append(fp.damage, damage{idx: i, cut: cut})
			}
		}
	}
	unsynced := len(d.log) - d.synced
	if unsynced == 0 {
		return
	}
	fp.keep = int(rand.Range(0, int64(unsynced)))
	if fp.keep > 0 && rand.Chance(tornCutChance) {
		if cut, ok := pl.sectorCut(d.log[d.synced+fp.keep-1]); ok {
			fp.cut = cut
			fp.zeros = rand.Chance(tornZeroChance)
		}
	}
}

// sectorCut picks a sector boundary in [w.off, w.end()) at which to cut w.
func (pl *powerLoss) sectorCut(w write) (int64, bool) {
	first := (w.off + sectorSize - 1) / sectorSize * sectorSize
	if first >= w.end() {
		return 0, false
	}
	count := (w.end()-1-first)/sectorSize + 1
	return first + int64(pl.fs.rand.Below(uint64(count)))*sectorSize, true
}

// forceLyingLoss makes sure a lying power loss loses a synced write whenever
// some file has one that may be lost.
func (pl *powerLoss) forceLyingLoss() {
	var eligible []*filePlan
	for _, fp := range pl.files {
		for _, dm := range fp.damage {
			if dm.cut < 0 {
				return
			}
		}
		if fp.n.data.synced >= 2 {
			eligible = append(eligible, fp)
		}
	}
	if len(eligible) == 0 {
		return
	}
	fp := eligible[pl.fs.rand.Intn(len(eligible))]
	idx := pl.fs.rand.Intn(fp.n.data.synced - 1)
	i, found := slices.BinarySearchFunc(fp.damage, idx, func(dm damage, idx int) int { return dm.idx - idx })
	if found {
		fp.damage[i].cut = -1
		return
	}
	fp.damage = slices.Insert(fp.damage, i, damage{idx: idx, cut: -1})
}

// report emits the power-loss fault, then the damage file by file.
func (pl *powerLoss) report() {
	var lostUnsynced, torn, lying int
	var faults []Fault
	for _, fp := range pl.files {
		d := &fp.n.data
		lostUnsynced += len(d.log) - d.synced - fp.keep
		for _, dm := range fp.damage {
			lying++
			w := d.log[dm.idx]
			if dm.cut < 0 {
				faults = append(faults, Fault{Kind: "lying-loss", Path: fp.path, Off: w.off, Len: int64(len(w.data)),
					Detail: fmt.Sprintf("synced write %d of %d in window lost", dm.idx+1, d.synced)})
				continue
			}
			faults = append(faults, Fault{Kind: "lying-torn", Path: fp.path, Off: dm.cut, Len: w.end() - dm.cut,
				Detail: fmt.Sprintf("synced write %d of %d in window torn", dm.idx+1, d.synced)})
		}
		if fp.cut >= 0 {
			torn++
			w := d.log[d.synced+fp.keep-1]
			detail := "unsynced write cut at sector, file ends at cut"
			if fp.zeros {
				detail = "unsynced write cut at sector, tail reads as zeros"
			}
			faults = append(faults, Fault{Kind: "torn-write", Path: fp.path, Off: fp.cut, Len: w.end() - fp.cut, Detail: detail})
		}
	}
	pl.fs.fault(Fault{Kind: "power-loss", Detail: fmt.Sprintf(
		"mode=%s files=%d unsynced-writes-lost=%d entry-ops-lost=%d torn-writes=%d synced-writes-damaged=%d",
		pl.mode, len(pl.files), lostUnsynced, pl.lostEntryOps, torn, lying)})
	for _, f := range faults {
		pl.fs.fault(f)
	}
}

// apply makes the planned survivors the whole, durable, state of the disk.
func (pl *powerLoss) apply() {
	for _, fp := range pl.files {
		fp.n.data.reset(fp.image())
		fp.n.nlink = 0
	}
	for _, dp := range pl.dirs {
		d := dp.n.dir
		d.entries = dp.entries
		d.durable = maps.Clone(dp.entries)
		d.pending = nil
		for _, name := range slices.Sorted(maps.Keys(dp.entries)) {
			if child := dp.entries[name]; !child.isDir() {
				child.nlink++
			}
		}
	}
	pl.fs.used = 0
	for _, fp := range pl.files {
		pl.fs.used += fp.n.data.size()
	}
}

// image is the file's content after the power loss.
func (fp *filePlan) image() []byte {
	d := &fp.n.data
	img := append([]byte(nil), d.stableImage()...)
	size := int64(len(img))
	next := 0 // index into damage
	for i, w := range d.log[:d.synced] {
		// A lost or torn synced write still counts in the size: the size
		// was made durable by a later sync, the data was not.
		size = max(size, w.end())
		data := w.data
		if next < len(fp.damage) && fp.damage[next].idx == i {
			data = data[:max(fp.damage[next].cut-w.off, 0)]
			next++
		}
		if len(data) > 0 {
			img = applyAt(img, w.off, data)
		}
	}
	for i, w := range d.log[d.synced : d.synced+fp.keep] {
		data := w.data
		if i == fp.keep-1 && fp.cut >= 0 {
			data = data[:fp.cut-w.off]
			if fp.zeros {
				size = max(size, w.end())
			}
		}
		if len(data) > 0 {
			img = applyAt(img, w.off, data)
		}
	}
	return zeroExtend(img, size)
}
