package kvstore

import (
	"slices"
	"sort"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Open opens the store in dir, creating it if dir is empty or missing.
// Recovery is the newest usable checkpoint plus a redo of the log after
// it; see doc.go for the rules. Open fails with a *CorruptionError
// (errors.Is(err, ErrCorrupt)) when the durable files cannot be the result
// of crashes and power losses, and with an *IOError when the filesystem
// fails. It never silently recreates a store that existed.
//
// A successful Open always ends by checkpointing the recovered state into
// a new generation, so nothing is ever appended after a discarded tail.
func Open(fs vfs.FS, dir string, opts Options) (*Store, error) {
	s := &Store{fs: fs, dir: dir, opts: opts.withDefaults(), tree: newTree()}
	lay, err := newLayout(opts.PageBounds)
	if err != nil {
		return nil, err
	}
	names, err := ensureDir(fs, dir, s.opts.TrustDirEntry)
	if err != nil {
		return nil, err
	}
	inv := takeInventory(names)
	s.info = OpenInfo{Files: inv.names, TornOffset: -1}
	m, err := s.openManifest(inv, lay)
	if err != nil {
		return nil, err
	}
	s.lay = m.lay
	s.pageLSN, s.damaged = make([]uint64, s.lay.pages()), make([]bool, s.lay.pages())
	// Files of a generation above the MANIFEST's are what a cut switch left:
	// no record is ever appended to a generation before the MANIFEST that
	// names it is durable. They are replaced or removed below. (They can be
	// more than one generation ahead: an Open may build on a MANIFEST rename
	// that a failed directory sync never made durable.)
	s.info.RecoveredGeneration = m.gen
	if slices.ContainsFunc(append(slices.Clone(inv.logs), inv.ckpts...), func(g uint64) bool { return g > m.gen }) {
		s.reached(ProbeLeftoverGen)
	}
	if m.gen > 0 {
		if err := s.recover(inv, m); err != nil {
			return nil, err
		}
	}
	s.gen = m.gen
	// Everything the store owns except the MANIFEST is replaced by the new
	// generation; names in the directory that are not the store's stay.
	obsolete := append([]string{l1Name}, inv.temps...)
	for _, gen := range inv.logs {
		obsolete = append(obsolete, logName(gen))
	}
	for _, gen := range inv.ckpts {
		obsolete = append(obsolete, ckptName(gen))
	}
	if s.degraded {
		// Nothing is written until the damaged pages are replaced: the
		// files stay as they are, and InstallPages makes the new generation.
		s.obsolete = obsolete
		s.info.Seq, s.info.Generation = s.seq, s.gen
		return s, nil
	}
	if err := s.switchGeneration(obsolete); err != nil {
		if s.log != nil {
			s.log.f.Close()
		}
		return nil, err
	}
	s.info.Seq, s.info.Generation = s.seq, s.gen
	return s, nil
}

// openManifest reads the MANIFEST or, in a directory that holds no store,
// creates the one of a new store.
func (s *Store) openManifest(inv inventory, lay layout) (manifest, error) {
	if inv.manifest {
		return readManifest(s.fs, s.dir)
	}
	if err := s.checkNoStore(inv); err != nil {
		return manifest{}, err
	}
	s.info.New = true
	m := manifest{lay: lay}
	return m, writeManifest(s.fs, s.dir, m, s.point)
}

// checkNoStore fails unless the files in a directory without a MANIFEST
// are at most what a cut creation leaves: temporary files and generation
// 1's checkpoint and segment header. Creation makes the MANIFEST durable
// before Open returns, and records are only appended after that, so
// anything more proves that a store existed and lost its MANIFEST.
func (s *Store) checkNoStore(inv inventory) error {
	missing := s.path(manifestName)
	if inv.l1 {
		return corruptf(missing, -1, "missing, but %s exists", l1Name)
	}
	for _, gen := range append(inv.logs, inv.ckpts...) {
		if gen != 1 {
			return corruptf(missing, -1, "missing, but generation %d exists", gen)
		}
	}
	if len(inv.logs) > 0 {
		info, err := s.fs.Stat(s.path(logName(1)))
		if err != nil {
			return ioErr("stat", s.path(logName(1)), err)
		}
		if info.Size() > segmentHeaderSize {
			return corruptf(missing, -1, "missing, but %s holds records", logName(1))
		}
	}
	if len(inv.names) > 0 {
		s.reached(ProbeCutCreation)
	}
	return nil
}

// recover rebuilds the state of generation m.gen: its L2 checkpoint, or
// the L1 checkpoint when the log still holds the record L1 is anchored on,
// plus the log records after it.
func (s *Store) recover(inv inventory, m manifest) error {
	ckptPath := s.path(ckptName(m.gen))
	data, err := readReferenced(s.fs, ckptPath)
	if err != nil {
		return err
	}
	base, err := decodeCheckpoint(ckptPath, l2Magic, s.lay, data)
	if err != nil {
		return err
	}
	if damaged := base.damagedPages(); len(damaged) > 0 {
		if !s.opts.AllowDamagedPages {
			return base.damaged[damaged[0]]
		}
		s.reached(ProbePageDamaged)
		for _, p := range damaged {
			s.damaged[p] = true
		}
		s.degraded, s.info.Damaged = true, damaged
	}
	if base.gen != m.gen || base.seq != m.ckptSeq {
		return corruptf(ckptPath, 8, "checkpoint of generation %d at seq %d, MANIFEST says %d at %d",
			base.gen, base.seq, m.gen, m.ckptSeq)
	}
	logPath := s.path(logName(m.gen))
	logData, err := readReferenced(s.fs, logPath)
	if err != nil {
		return err
	}
	scan, err := scanSegment(logPath, logData, m.gen, m.ckptSeq+1)
	if err != nil {
		return err
	}
	s.info.Level = 2
	// L1 shortens the replay, over a sound durable base only: damage to
	// the synced checkpoint is reported, never papered over by a copy that
	// was never synced.
	if inv.l1 && !s.degraded {
		l1, ok, err := s.loadL1(m.gen, scan.records)
		if err != nil {
			return err
		}
		if ok {
			s.reached(ProbeRecoveredL1)
			base = l1
			s.info.Level = 1
		} else {
			s.reached(ProbeL1Unusable)
		}
	}
	s.tree, s.seq = base.tree, base.seq
	copy(s.pageLSN, base.pageLSN)
	s.info.CheckpointSeq = base.seq
	for _, r := range scan.records {
		if r.seq <= base.seq {
			continue
		}
		// The redo rule: a record is redone onto a page only if its LSN is
		// above the page's, so a page installed at a newer LSN than the
		// log's records keeps what it holds.
		f := s.filter(r.lsn, !s.opts.IgnorePageLSNOnRedo)
		if err := applyPaged(s.tree, r.payload, f); err != nil {
			return corruptf(logPath, r.off, "record %d: %v", r.seq, err)
		}
		if f.held && f.honor {
			s.info.RedoSkipped++
			s.reached(ProbePageRedoSkipped)
		}
		s.seq = r.seq
		s.info.RecordsReplayed++
	}
	s.info.TornOffset, s.info.TornBytes = scan.tornOffset, scan.tornBytes
	if scan.tornBytes > 0 {
		s.reached(ProbeTornTail)
	}
	return nil
}

// loadL1 returns the L1 checkpoint if it is intact, belongs to generation
// gen, and the log still holds the exact record it is anchored on. L1 was
// never synced, so a damaged one is not corruption: it is just not used.
func (s *Store) loadL1(gen uint64, records []logRecord) (checkpoint, bool, error) {
	path := s.path(l1Name)
	data, err := readFile(s.fs, path)
	if err != nil {
		if isNotExist(err) {
			return checkpoint{}, false, nil
		}
		return checkpoint{}, false, err
	}
	c, err := decodeCheckpoint(path, l1Magic, s.lay, data)
	if err != nil || c.gen != gen || len(c.damagedPages()) > 0 {
		return checkpoint{}, false, nil
	}
	i := sort.Search(len(records), func(i int) bool { return records[i].off >= c.anchor.off })
	if i == len(records) || records[i].recordRef != c.anchor {
		return checkpoint{}, false, nil
	}
	return c, true, nil
}

// readReferenced reads a file the MANIFEST refers to: its absence is
// corruption, not a new store.
func readReferenced(fs vfs.FS, path string) ([]byte, error) {
	data, err := readFile(fs, path)
	if err != nil && isNotExist(err) {
		return nil, corruptf(path, -1, "missing, but the MANIFEST refers to it")
	}
	return data, err
}
