package faultfs

import (
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"strings"

	"github.com/monsim/monsim/internal/rng"
)

// defaultLyingWindow is how many synced writes per file a lying power loss
// may still revoke when Options.LyingWindow is zero.
const defaultLyingWindow = 16

// Options configures one simulated disk. Every field but Rand may be left
// zero.
type Options struct {
	// Rand is the disk's own stream. Required: every random choice faultfs
	// makes (power-loss outcomes, corruption sites, injected errors, sync
	// latencies) is drawn from it, so one seed gives one disk history.
	Rand *rng.Stream

	// Now returns the simulated time in ns, stamped on files as ModTime.
	// nil: every ModTime is the Unix epoch.
	Now func() int64

	// Charge receives the simulated cost in ns of each operation (see the
	// cost fields below). nil: costs are ignored.
	Charge func(ns int64)

	// OnFault receives every fault the disk injects or suffers: crashes,
	// power losses and what they destroyed, corruption, injected errors and
	// real ENOSPC. nil: faults are not reported.
	OnFault func(Fault)

	// AfterOp is called after every mutating operation (create, write, sync,
	// rename, remove, link, mkdir, lock, directory sync, ...) has fully
	// completed and succeeded; reads and failed operations are not crash
	// points. It may panic to unwind the caller, for instance after cutting
	// power: faultfs state is consistent when it runs. nil: not called.
	AfterOp func(op errorfs.Op)

	// SyncLatencyMin and SyncLatencyMax bound the fsync latency in ns, drawn
	// uniformly from [min, max] for each Sync or SyncData of a file or
	// directory. Zero: fsync is free.
	SyncLatencyMin, SyncLatencyMax int64

	// WriteNsPerByte is the cost in ns of each byte written. Zero: free.
	WriteNsPerByte int64

	// ReadNsPerByte is the cost in ns of each byte read. Zero: free.
	ReadNsPerByte int64

	// OpNs is the fixed cost in ns of every operation, including failed
	// ones. Zero: free.
	OpNs int64

	// LyingWindow is how many of each file's most recent synced writes a
	// lying power loss may still lose or tear. Older synced writes are
	// folded into the file's stable image. Zero: 16.
	LyingWindow int

	// Capacity is the disk size in bytes: a write that would grow the
	// linked files past it fails with ENOSPC. Zero: unlimited.
	Capacity int64
}

// FS is an in-memory vfs.FS with deterministic power loss, process crash,
// corruption, injected I/O errors and simulated costs. It is not safe for
// concurrent use: a simulation drives it from one goroutine.
type FS struct {
	opts   Options
	rand   *rng.Stream
	window int

	root *inode
	// epoch advances on every crash and power loss; a handle opened in an
	// earlier epoch is stale.
	epoch uint64
	locks map[string]bool
	inj   errorfs.Injector

	used        int64  // bytes in files that still have a name
	mutating    int64  // successful mutating operations so far
	nextEntryOp uint64 // id of the next directory-entry operation
}

var _ vfs.FS = (*FS)(nil)

// New returns an empty disk holding only the root directory.
func New(opts Options) *FS {
	if opts.Rand == nil {
		panic("faultfs: Options.Rand is required")
	}
	window := opts.LyingWindow
	if window <= 0 {
		window = defaultLyingWindow
	}
	return &FS{
		opts:   opts,
		rand:   opts.Rand,
		window: window,
		root:   newDir(0),
		locks:  make(map[string]bool),
	}
}

// MutatingOps returns how many mutating operations have completed so far,
// the same operations that AfterOp sees. Crash-point enumeration runs a path
// once, reads this count, then re-runs it cutting power after each one.
func (fs *FS) MutatingOps() int64 { return fs.mutating }

// Fault is one injected fault, as it appears in the trace. Every field is
// deterministic for a given seed.
type Fault struct {
	// Kind names the fault: "crash", "power-loss", "torn-write",
	// "lying-loss", "lying-torn", "corrupt/bit-flip", "corrupt/zero-sector",
	// "corrupt/truncate", "corrupt/misdirect", "corrupt/wipe", "eio/read", "eio/write",
	// "eio/sync", "enospc", "enospc/full", or "error/<op>" for another
	// injected error.
	Kind string
	// Path is the file concerned, "" for the whole disk.
	Path string
	// Off and Len locate the damaged bytes, when there are some.
	Off, Len int64
	// Detail is short human text.
	Detail string
}

// Destroys says whether the fault destroyed data the disk had made durable:
// a corruption, or a lying disk's loss of synced writes. A store may then
// fail to open, or come back without what it synced; crashes, honest and
// torn power losses and I/O errors never do that.
func (f Fault) Destroys() bool {
	return strings.HasPrefix(f.Kind, "corrupt/") || f.Kind == "lying-loss" || f.Kind == "lying-torn"
}

func (fs *FS) fault(f Fault) {
	if fs.opts.OnFault != nil {
		fs.opts.OnFault(f)
	}
}

// now is the simulated time for ModTime.
func (fs *FS) now() int64 {
	if fs.opts.Now == nil {
		return 0
	}
	return fs.opts.Now()
}

// mutated records a completed mutating operation and hands it to AfterOp,
// which may not return.
func (fs *FS) mutated(kind errorfs.OpKind, path string, off int64) {
	fs.mutating++
	if fs.opts.AfterOp != nil {
		fs.opts.AfterOp(errorfs.Op{Kind: kind, Path: path, Offset: off})
	}
}
