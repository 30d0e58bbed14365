package kvstore

import (
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/google/btree"
)

// Options tunes a Store. The zero value gives the defaults.
type Options struct {
	// L1Every is the number of applied batches between level-1 checkpoints
	// (written, never synced). Zero means 64; a negative value disables L1.
	L1Every int
	// L2Every is the number of applied batches between level-2 checkpoints
	// (synced, each starting a new log segment). Zero or negative means 1024.
	L2Every int
	// SegmentBytes is the log segment size, in bytes, past which the next
	// Apply first takes a level-2 checkpoint. Zero or negative means 1 MiB.
	SegmentBytes int64
	// Point, if not nil, is called with a name at each step worth cutting
	// power at (see doc.go for the list). It may panic to unwind the store,
	// which must then be abandoned. Nil means no calls.
	Point func(Point)
	// Reached, if not nil, is called with each code probe the store
	// reaches (see CodeProbes). It must not touch the store.
	Reached func(CodeProbe)
	// IgnoreSyncErrors is a planted bug (node.Bugs.IgnoreFsyncError): a
	// failed log fsync is ignored, and the batch is reported durable.
	IgnoreSyncErrors bool
	// PageBounds divides a new store into pages (pages.go): page i holds
	// the keys from PageBounds[i-1] up to PageBounds[i]. They must be
	// strictly ascending and non-empty. A store keeps the bounds it was
	// created with; nil makes one page of everything.
	PageBounds []string
	// AllowDamagedPages makes Open report damage inside checkpoint pages
	// as those pages (Store.Damaged) rather than fail: the store opens
	// read-only until InstallPages replaces them. False: such damage is a
	// *CorruptionError like any other.
	AllowDamagedPages bool
	// IgnorePageLSNOnRedo is a planted bug (node.Bugs.PageRedoIgnoresLSN):
	// recovery redoes a log record onto a page whose LSN shows it already
	// holds it.
	IgnorePageLSNOnRedo bool
	// TrustDirEntry is a planted bug (node.Bugs.SkipDirSync): Open builds
	// on an existing directory without syncing its parent, as if its entry
	// (a rename into place) were surely durable.
	TrustDirEntry bool
}

func (o Options) withDefaults() Options {
	if o.L1Every == 0 {
		o.L1Every = 64
	}
	if o.L2Every <= 0 {
		o.L2Every = 1024
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = 1 << 20
	}
	return o
}

// OpenInfo describes what Open found and did.
type OpenInfo struct {
	New                 bool     // no store existed: an empty one was created
	Damaged             []int    // pages of the checkpoint found damaged (only with Options.AllowDamagedPages)
	RedoSkipped         int      // log records not redone onto some page that already held them
	Level               int      // checkpoint level recovery started from: 1, 2, or 0 for a new store
	CheckpointSeq       uint64   // sequence number of that checkpoint
	RecoveredGeneration uint64   // generation the MANIFEST named at Open
	RecordsReplayed     int      // log records applied on top of the checkpoint
	TornOffset          int64    // offset of a discarded torn tail in its segment, -1 if none
	TornBytes           int64    // bytes of torn tail discarded
	Files               []string // names in the store directory at Open, sorted
	Seq                 uint64   // last sequence number after recovery
	Generation          uint64   // live generation after Open
}

// Store is a key/value store kept as a checkpointed redo log in one
// directory. It is not safe for concurrent use.
type Store struct {
	fs   vfs.FS
	dir  string
	opts Options

	tree *btree.BTreeG[item]
	seq  uint64 // last applied batch
	gen  uint64 // live generation: CKPT-gen + LOG-gen

	lay      layout
	pageLSN  []uint64
	damaged  []bool   // pages whose contents are unknown (Open found them damaged)
	degraded bool     // some page is damaged: read-only, no log open
	obsolete []string // a degraded store's files, replaced by InstallPages

	log      *logWriter
	last     recordRef // last record in the live segment, if haveLast
	haveLast bool
	sinceL1  int // batches since the last L1 checkpoint
	sinceL2  int // batches since the last L2 checkpoint

	info   OpenInfo
	err    error // set by the first failed write or sync: the store is poisoned
	closed bool
}

// Apply appends b to the log as one record and applies it in memory. With
// sync, the log is fsynced first, and then b survives any crash or power
// loss. Without sync, b survives a process crash but maybe not a power
// loss; either way it is never partly applied.
//
// An error means b was not applied in memory. After a failed write or
// fsync the store is poisoned: every later Apply fails too, and the owner
// must Close and Open again. A failed fsync leaves b's fate unknown: it
// may be found in the log after a reopen, as with any failed commit.
func (s *Store) Apply(b *Batch, sync bool) error {
	if s.closed {
		return ErrClosed
	}
	if s.err != nil {
		return fmt.Errorf("%w: %w", ErrPoisoned, s.err)
	}
	if s.degraded {
		return fmt.Errorf("%w: pages %v", ErrDamaged, s.Damaged())
	}
	if len(b.payload) > maxPayload {
		return fmt.Errorf("kvstore: batch of %d bytes exceeds the %d-byte limit", len(b.payload), maxPayload)
	}
	if err := s.maintain(); err != nil {
		s.reached(ProbeSwitchFailed)
		return s.poison(err)
	}
	seq := s.seq + 1
	ref, err := s.log.append(seq, b.lsn, b.payload, s.point)
	if err != nil {
		s.reached(ProbeWriteFailed)
		return s.poison(err)
	}
	if sync {
		if err := s.log.sync(); err != nil && !s.opts.IgnoreSyncErrors {
			s.reached(ProbeSyncFailed)
			return s.poison(err)
		}
		s.point(PointLogSynced)
	}
	f := s.filter(b.lsn, true)
	if err := applyPaged(s.tree, b.payload, f); err != nil {
		panic("kvstore: a Batch encoded a malformed payload: " + err.Error())
	}
	if f.held {
		s.reached(ProbePageHeldBatch)
	}
	s.seq, s.last, s.haveLast = seq, ref, true
	s.sinceL1++
	s.sinceL2++
	return nil
}

// maintain takes the checkpoint that is due, if any, before the next record.
func (s *Store) maintain() error {
	if s.sinceL2 >= s.opts.L2Every || s.log.off >= s.opts.SegmentBytes {
		return s.switchGeneration(nil)
	}
	if s.opts.L1Every > 0 && s.sinceL1 >= s.opts.L1Every && s.haveLast {
		return s.writeL1()
	}
	return nil
}

func (s *Store) poison(err error) error {
	s.err = err
	return err
}

// filter applies a batch of the given LSN to the store's pages.
func (s *Store) filter(lsn uint64, honor bool) *pageFilter {
	return &pageFilter{lay: s.lay, lsn: lsn, pageLSN: s.pageLSN, damaged: s.damaged, honor: honor}
}

func (s *Store) point(p Point) {
	if s.opts.Point != nil {
		s.opts.Point(p)
	}
}

func (s *Store) path(name string) string { return s.fs.PathJoin(s.dir, name) }

// Get returns a copy of key's value, and whether key is present.
func (s *Store) Get(key string) ([]byte, bool) { return treeGet(s.tree, key) }

// Iterate calls fn for each key with prefix in ascending byte order until
// fn returns false. fn must not Apply to the store.
func (s *Store) Iterate(prefix string, fn func(key string, value []byte) bool) {
	treeIterate(s.tree, prefix, prefix, fn)
}

// IterateFrom is Iterate starting at the first key >= start.
func (s *Store) IterateFrom(prefix, start string, fn func(key string, value []byte) bool) {
	treeIterate(s.tree, prefix, start, fn)
}

// Snapshot returns an immutable view of the current state (for a degraded
// store, of its intact pages).
func (s *Store) Snapshot() *Snapshot {
	return &Snapshot{tree: s.tree.Clone()}
}

// Seq is the sequence number of the last applied batch (0 for none).
func (s *Store) Seq() uint64 { return s.seq }

// Info describes what Open found and did.
func (s *Store) Info() OpenInfo { return s.info }

// Close releases the log file. It does not sync: durability is what each
// Apply asked for. Reads keep working on the in-memory state; Apply fails.
func (s *Store) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.log == nil {
		return nil
	}
	err := s.log.close()
	s.log = nil
	return err
}

// Leftovers lists the names in the store's directory that are not the live
// generation's: files a cut switch or a recovery should have removed. A
// store that leaks them keeps every generation on disk.
func (s *Store) Leftovers() ([]string, error) {
	names, err := s.fs.List(s.dir)
	if isNotExist(err) {
		return nil, nil // a directory wiped under the store leaves nothing behind
	}
	if err != nil {
		return nil, ioErr("list", s.dir, err)
	}
	var out []string
	for _, name := range names {
		switch name {
		case manifestName, ckptName(s.gen), logName(s.gen), l1Name:
		default:
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}
