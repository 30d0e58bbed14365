package faultfs

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

var (
	// ErrInjected marks every error an injector produced.
	ErrInjected = errors.New("faultfs: injected error")
	// ErrStaleHandle is returned by a file or lock handle used after the
	// process crashed or power was lost.
	ErrStaleHandle = errors.New("faultfs: stale handle after crash")
)

// InjectedError is an error an injector produced for one operation. It
// matches ErrInjected and the injector's own error (syscall.EIO,
// syscall.ENOSPC, ...) with errors.Is.
type InjectedError struct {
	Op  errorfs.Op
	Err error
}

func (e *InjectedError) Error() string {
	return fmt.Sprintf("faultfs: injected %v on %s %q", e.Err, opName(e.Op.Kind), e.Op.Path)
}

// Unwrap exposes both ErrInjected and the injected error.
func (e *InjectedError) Unwrap() []error { return []error{ErrInjected, e.Err} }

// SetInjector makes inj decide, before each operation, whether it fails.
// Injectors compose with errorfs.Any.
func (fs *FS) SetInjector(inj errorfs.Injector) { fs.inj = inj }

// ClearInjector stops injecting errors.
func (fs *FS) ClearInjector() { fs.inj = nil }

// begin charges an operation's fixed cost and asks the injector whether it
// fails. A failing operation must change nothing.
func (fs *FS) begin(kind errorfs.OpKind, p string, off int64) error {
	fs.charge(fs.opts.OpNs)
	if fs.inj == nil {
		return nil
	}
	op := errorfs.Op{Kind: kind, Path: p, Offset: off}
	err := fs.inj.MaybeError(op)
	if err == nil {
		return nil
	}
	fs.fault(Fault{Kind: injectedKind(kind, err), Path: p, Off: off, Detail: opName(kind)})
	return &InjectedError{Op: op, Err: err}
}

func injectedKind(kind errorfs.OpKind, err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "enospc"
	case errors.Is(err, syscall.EIO):
		return "eio/" + ioClassName(kind)
	default:
		return "error/" + opName(kind)
	}
}

// IOClass selects the operations an EIO injector targets.
type IOClass uint8

const (
	// OnRead targets Read and ReadAt.
	OnRead IOClass = 1 << iota
	// OnWrite targets Write and WriteAt.
	OnWrite
	// OnSync targets Sync, SyncData and SyncTo of files and directories.
	OnSync
	// OnMeta targets the namespace: Create, Link, Remove, RemoveAll,
	// Rename, MkdirAll and opening a directory.
	OnMeta
	// OnLookup targets reading the namespace: Open of an existing file,
	// List and Stat. A disk that cannot read a directory or an inode fails
	// these; a store must not take such a failure for "not there".
	OnLookup
	// OnAnyIO targets reads, writes and syncs.
	OnAnyIO = OnRead | OnWrite | OnSync
)

func ioClass(kind errorfs.OpKind) IOClass {
	switch kind {
	case errorfs.OpFileRead, errorfs.OpFileReadAt:
		return OnRead
	case errorfs.OpFileWrite, errorfs.OpFileWriteAt:
		return OnWrite
	case errorfs.OpFileSync, errorfs.OpFileSyncData, errorfs.OpFileSyncTo:
		return OnSync
	case errorfs.OpCreate, errorfs.OpLink, errorfs.OpRemove, errorfs.OpRemoveAll, errorfs.OpRename,
		errorfs.OpMkdirAll, errorfs.OpOpenDir:
		return OnMeta
	case errorfs.OpOpen, errorfs.OpList, errorfs.OpStat:
		return OnLookup
	}
	return 0
}

func ioClassName(kind errorfs.OpKind) string {
	switch ioClass(kind) {
	case OnRead:
		return "read"
	case OnWrite:
		return "write"
	case OnSync:
		return "sync"
	case OnMeta:
		return "meta/" + opName(kind)
	case OnLookup:
		return "lookup/" + opName(kind)
	}
	return opName(kind)
}

// EIO returns an injector that fails the selected reads, writes or syncs of
// paths under pathPrefix ("" for all) with syscall.EIO, each with
// probability prob, drawn from the disk's stream.
func (fs *FS) EIO(ops IOClass, pathPrefix string, prob float64) errorfs.Injector {
	return &randomError{
		fs: fs, errno: syscall.EIO, prefix: strings.TrimLeft(pathPrefix, "/"), prob: prob,
		match: func(k errorfs.OpKind) bool { return ioClass(k)&ops != 0 },
		desc:  fmt.Sprintf("eio ops=%s", ops),
	}
}

// ENOSPC returns an injector that fails writes and file creations under
// pathPrefix ("" for all) with syscall.ENOSPC, each with probability prob,
// drawn from the disk's stream.
func (fs *FS) ENOSPC(pathPrefix string, prob float64) errorfs.Injector {
	return &randomError{
		fs: fs, errno: syscall.ENOSPC, prefix: strings.TrimLeft(pathPrefix, "/"), prob: prob,
		match: func(k errorfs.OpKind) bool { return ioClass(k) == OnWrite || k == errorfs.OpCreate },
		desc:  "enospc",
	}
}

// randomError fails matching operations at random with one errno.
type randomError struct {
	fs     *FS
	errno  syscall.Errno
	prefix string
	prob   float64
	match  func(errorfs.OpKind) bool
	desc   string
}

func (r *randomError) String() string {
	return fmt.Sprintf("(%s prefix=%q p=%g)", r.desc, r.prefix, r.prob)
}

// MaybeError draws only for matching operations, so unrelated traffic does
// not consume the stream.
func (r *randomError) MaybeError(op errorfs.Op) error {
	if !r.match(op.Kind) || !strings.HasPrefix(op.Path, r.prefix) {
		return nil
	}
	if !r.fs.rand.Chance(r.prob) {
		return nil
	}
	return r.errno
}

func (c IOClass) String() string {
	var parts []string
	for _, x := range []struct {
		bit  IOClass
		name string
	}{{OnRead, "read"}, {OnWrite, "write"}, {OnSync, "sync"}, {OnMeta, "meta"}, {OnLookup, "lookup"}} {
		if c&x.bit != 0 {
			parts = append(parts, x.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// MarshalText writes the class: read, write, sync, or any for all three.
func (c IOClass) MarshalText() ([]byte, error) {
	if c == OnAnyIO {
		return []byte("any"), nil
	}
	return []byte(c.String()), nil
}

// UnmarshalText reads a class as MarshalText writes it, or read|write and
// the like; an unknown name is an error.
func (c *IOClass) UnmarshalText(b []byte) error {
	var out IOClass
	for _, part := range strings.Split(string(b), "|") {
		switch part {
		case "read":
			out |= OnRead
		case "write":
			out |= OnWrite
		case "sync":
			out |= OnSync
		case "meta":
			out |= OnMeta
		case "lookup":
			out |= OnLookup
		case "any":
			out |= OnAnyIO
		default:
			return fmt.Errorf("unknown I/O class %q (read, write, sync, meta, lookup or any)", b)
		}
	}
	*c = out
	return nil
}

var opNames = map[errorfs.OpKind]string{
	errorfs.OpCreate: "create", errorfs.OpLink: "link", errorfs.OpOpen: "open",
	errorfs.OpOpenDir: "opendir", errorfs.OpRemove: "remove", errorfs.OpRemoveAll: "removeall",
	errorfs.OpRename: "rename", errorfs.OpReuseForWrite: "reuseforwrite",
	errorfs.OpMkdirAll: "mkdirall", errorfs.OpLock: "lock", errorfs.OpList: "list",
	errorfs.OpFilePreallocate: "preallocate", errorfs.OpStat: "stat",
	errorfs.OpGetDiskUsage: "diskusage", errorfs.OpFileClose: "close",
	errorfs.OpFileRead: "read", errorfs.OpFileReadAt: "readat", errorfs.OpFileWrite: "write",
	errorfs.OpFileWriteAt: "writeat", errorfs.OpFileStat: "fstat", errorfs.OpFileSync: "sync",
	errorfs.OpFileSyncData: "syncdata", errorfs.OpFileSyncTo: "syncto",
	errorfs.OpFileFlush: "flush",
}

// opName is a short stable name for an operation kind.
func opName(kind errorfs.OpKind) string {
	if s, ok := opNames[kind]; ok {
		return s
	}
	return fmt.Sprintf("op%d", int(kind))
}
