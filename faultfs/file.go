package faultfs

import (
	"io"
	"os"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// file is an open handle on a file or directory.
type file struct {
	fs     *FS
	n      *inode
	path   string // canonical path it was opened by
	epoch  uint64
	pos    int64
	read   bool
	write  bool
	closed bool
}

var _ vfs.File = (*file)(nil)

func (fs *FS) newHandle(p string, n *inode, read, write bool) *file {
	return &file{fs: fs, n: n, path: p, epoch: fs.epoch, read: read, write: write}
}

// usable reports why the handle cannot be used: closed, or from before a
// crash.
func (f *file) usable(op string) error {
	if f.epoch != f.fs.epoch {
		return pathErr(op, f.path, ErrStaleHandle)
	}
	if f.closed {
		return pathErr(op, f.path, os.ErrClosed)
	}
	return nil
}

// readable and writable also refuse directories and the wrong open mode.
func (f *file) readable(op string) error {
	if err := f.usable(op); err != nil {
		return err
	}
	if f.n.isDir() {
		return pathErr(op, f.path, syscall.EISDIR)
	}
	if !f.read {
		return pathErr(op, f.path, syscall.EBADF)
	}
	return nil
}

func (f *file) writable(op string) error {
	if err := f.usable(op); err != nil {
		return err
	}
	if f.n.isDir() {
		return pathErr(op, f.path, syscall.EISDIR)
	}
	if !f.write {
		return pathErr(op, f.path, syscall.EBADF)
	}
	return nil
}

// Close implements vfs.File.
func (f *file) Close() error {
	if err := f.usable("close"); err != nil {
		f.closed = true
		return err
	}
	f.closed = true
	return nil
}

// Read implements vfs.File.
func (f *file) Read(p []byte) (int, error) {
	if err := f.readable("read"); err != nil {
		return 0, err
	}
	if err := f.fs.begin(errorfs.OpFileRead, f.path, f.pos); err != nil {
		return 0, pathErr("read", f.path, err)
	}
	n, err := f.readAt(p, f.pos)
	f.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt implements vfs.File.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if err := f.readable("read"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("read", f.path, syscall.EINVAL)
	}
	if err := f.fs.begin(errorfs.OpFileReadAt, f.path, off); err != nil {
		return 0, pathErr("read", f.path, err)
	}
	return f.readAt(p, off)
}

func (f *file) readAt(p []byte, off int64) (int, error) {
	data := f.n.data.cur
	if off >= int64(len(data)) {
		return 0, io.EOF
	}
	n := copy(p, data[off:])
	f.fs.chargeBytes(n, f.fs.opts.ReadNsPerByte)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Write implements vfs.File. p is copied before Write returns.
func (f *file) Write(p []byte) (int, error) {
	if err := f.writable("write"); err != nil {
		return 0, err
	}
	off := f.pos
	if err := f.writeAt(errorfs.OpFileWrite, p, off); err != nil {
		return 0, err
	}
	f.pos += int64(len(p))
	f.fs.mutated(errorfs.OpFileWrite, f.path, off)
	return len(p), nil
}

// WriteAt implements vfs.File.
func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if err := f.writable("write"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("write", f.path, syscall.EINVAL)
	}
	if err := f.writeAt(errorfs.OpFileWriteAt, p, off); err != nil {
		return 0, err
	}
	f.fs.mutated(errorfs.OpFileWriteAt, f.path, off)
	return len(p), nil
}

// writeAt writes all of p or, on error, nothing.
func (f *file) writeAt(kind errorfs.OpKind, p []byte, off int64) error {
	fs := f.fs
	if err := fs.begin(kind, f.path, off); err != nil {
		return pathErr("write", f.path, err)
	}
	if len(p) == 0 {
		return nil
	}
	growth := off + int64(len(p)) - f.n.data.size()
	if err := fs.reserve(f.n, f.path, off, growth); err != nil {
		return pathErr("write", f.path, err)
	}
	f.n.data.writeAt(p, off)
	if growth > 0 && f.n.nlink > 0 {
		fs.used += growth
	}
	f.n.modTime = fs.now()
	fs.chargeBytes(len(p), fs.opts.WriteNsPerByte)
	return nil
}

// Sync implements vfs.File: a file's data, or a directory's entries, become
// durable.
func (f *file) Sync() error { return f.sync(errorfs.OpFileSync) }

// SyncData implements vfs.File like Sync: sizes are data here.
func (f *file) SyncData() error { return f.sync(errorfs.OpFileSyncData) }

func (f *file) sync(kind errorfs.OpKind) error {
	if err := f.usable("sync"); err != nil {
		return err
	}
	fs := f.fs
	err := fs.begin(kind, f.path, 0)
	fs.chargeSync()
	if err != nil {
		return pathErr("sync", f.path, err)
	}
	if f.n.isDir() {
		f.n.dir.sync()
	} else {
		f.n.data.sync(fs.window)
	}
	fs.mutated(kind, f.path, 0)
	return nil
}

// SyncTo implements vfs.File. It starts no durable write-back and says so
// (fullSync false), so a caller cannot mistake it for a sync.
func (f *file) SyncTo(length int64) (fullSync bool, err error) {
	if err := f.usable("sync"); err != nil {
		return false, err
	}
	if err := f.fs.begin(errorfs.OpFileSyncTo, f.path, length); err != nil {
		return false, pathErr("sync", f.path, err)
	}
	return false, nil
}

// Preallocate implements vfs.File; it reserves nothing.
func (f *file) Preallocate(offset, length int64) error {
	if err := f.usable("preallocate"); err != nil {
		return err
	}
	if err := f.fs.begin(errorfs.OpFilePreallocate, f.path, offset); err != nil {
		return pathErr("preallocate", f.path, err)
	}
	return nil
}

// Stat implements vfs.File.
func (f *file) Stat() (vfs.FileInfo, error) {
	if err := f.usable("stat"); err != nil {
		return nil, err
	}
	if err := f.fs.begin(errorfs.OpFileStat, f.path, 0); err != nil {
		return nil, pathErr("stat", f.path, err)
	}
	return statInode(f.path, f.n), nil
}

// Prefetch implements vfs.File; there is nothing to fetch.
func (f *file) Prefetch(offset, length int64) error { return f.usable("prefetch") }

// Fd implements vfs.File: there is no descriptor.
func (f *file) Fd() uintptr { return vfs.InvalidFd }
