package kvstore

import (
	"errors"
	"fmt"
)

// ErrCorrupt matches every *CorruptionError through errors.Is.
var ErrCorrupt = errors.New("kvstore: corrupt")

// ErrClosed is returned by Apply after Close.
var ErrClosed = errors.New("kvstore: closed")

// ErrDamaged is returned by Apply, and ExportPage, while the store holds
// damaged pages (Store.Damaged) that InstallPages has not replaced.
var ErrDamaged = errors.New("kvstore: damaged pages")

// ErrPoisoned is returned, together with the original failure, by every
// Apply after a failed write or fsync. Fsync failures are not retryable
// (the kernel may already have dropped the dirty pages), so the only way
// on is to close the store and open it again.
var ErrPoisoned = errors.New("kvstore: poisoned by an earlier write failure")

// CorruptionError reports durable data that cannot be the result of a crash
// or power loss: a bad record followed by a good one, a bad record whose
// trailer is present, a damaged checkpoint or manifest, a missing file, a
// sequence gap. Open fails with it rather than guess.
type CorruptionError struct {
	File   string // path of the damaged file
	Offset int64  // byte offset of the damage in File, or -1 if unknown
	Reason string // short description of what is wrong
}

func (e *CorruptionError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("kvstore: corrupt %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("kvstore: corrupt %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) hold.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

// IOError is a failure reported by the filesystem. It wraps the cause, so
// errors.Is(err, syscall.EIO) still works through it.
type IOError struct {
	Op   string // the filesystem operation, e.g. "write", "sync", "rename"
	File string // the path it was applied to
	Err  error  // the cause
}

func (e *IOError) Error() string {
	return fmt.Sprintf("kvstore: %s %s: %v", e.Op, e.File, e.Err)
}

func (e *IOError) Unwrap() error { return e.Err }

func corruptf(file string, off int64, format string, args ...any) *CorruptionError {
	return &CorruptionError{File: file, Offset: off, Reason: fmt.Sprintf(format, args...)}
}

func ioErr(op, file string, err error) error {
	if err == nil {
		return nil
	}
	return &IOError{Op: op, File: file, Err: err}
}
