package faultfs

import (
	"io"
	"os"
	"sync"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// lockedFS lets goroutine-heavy code such as pebble share a faultfs, which
// is single-threaded by design: every FS and File method runs under one
// mutex. CutPower runs a fault under that mutex and then unplugs this
// wrapper: its owner keeps running against a void that accepts writes and
// syncs and returns nothing, so it can be closed cleanly without touching
// the disk again. A fresh wrapper (reconnect) serves the next incarnation.
type lockedFS struct {
	mu        *sync.Mutex
	fs        *FS
	unplugged bool // guarded by mu
}

var _ vfs.FS = (*lockedFS)(nil)

func newLockedFS(fs *FS) *lockedFS { return &lockedFS{mu: &sync.Mutex{}, fs: fs} }

// CutPower runs fault (a PowerLoss, a Crash, ...) while no goroutine is
// inside the disk, then unplugs this wrapper.
func (l *lockedFS) CutPower(fault func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fault()
	l.unplugged = true
}

// Do runs fn on the disk under the lock.
func (l *lockedFS) Do(fn func(*FS)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.fs)
}

// reconnect returns a new, plugged-in wrapper on the same disk.
func (l *lockedFS) reconnect() *lockedFS { return &lockedFS{mu: l.mu, fs: l.fs} }

func (l *lockedFS) lock() func() {
	l.mu.Lock()
	return l.mu.Unlock
}

func (l *lockedFS) wrap(f vfs.File, err error) (vfs.File, error) {
	if err != nil {
		return nil, err
	}
	return &lockedFile{l: l, f: f}, nil
}

func (l *lockedFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	defer l.lock()()
	if l.unplugged {
		return voidFile{}, nil
	}
	return l.wrap(l.fs.Create(name, c))
}

func (l *lockedFS) Link(oldname, newname string) error {
	defer l.lock()()
	if l.unplugged {
		return nil
	}
	return l.fs.Link(oldname, newname)
}

func (l *lockedFS) Open(name string, opts ...vfs.OpenOption) (vfs.File, error) {
	defer l.lock()()
	if l.unplugged {
		return voidFile{}, nil
	}
	return l.wrap(l.fs.Open(name, opts...))
}

func (l *lockedFS) OpenReadWrite(name string, c vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	defer l.lock()()
	if l.unplugged {
		return voidFile{}, nil
	}
	return l.wrap(l.fs.OpenReadWrite(name, c, opts...))
}

func (l *lockedFS) OpenDir(name string) (vfs.File, error) {
	defer l.lock()()
	if l.unplugged {
		return voidFile{}, nil
	}
	return l.wrap(l.fs.OpenDir(name))
}

func (l *lockedFS) Remove(name string) error {
	defer l.lock()()
	if l.unplugged {
		return nil
	}
	return l.fs.Remove(name)
}

func (l *lockedFS) RemoveAll(name string) error {
	defer l.lock()()
	if l.unplugged {
		return nil
	}
	return l.fs.RemoveAll(name)
}

func (l *lockedFS) Rename(oldname, newname string) error {
	defer l.lock()()
	if l.unplugged {
		return nil
	}
	return l.fs.Rename(oldname, newname)
}

func (l *lockedFS) ReuseForWrite(oldname, newname string, c vfs.DiskWriteCategory) (vfs.File, error) {
	defer l.lock()()
	if l.unplugged {
		return voidFile{}, nil
	}
	return l.wrap(l.fs.ReuseForWrite(oldname, newname, c))
}

func (l *lockedFS) MkdirAll(dir string, perm os.FileMode) error {
	defer l.lock()()
	if l.unplugged {
		return nil
	}
	return l.fs.MkdirAll(dir, perm)
}

func (l *lockedFS) Lock(name string) (io.Closer, error) {
	defer l.lock()()
	if l.unplugged {
		return voidFile{}, nil
	}
	c, err := l.fs.Lock(name)
	if err != nil {
		return nil, err
	}
	return &lockedCloser{l: l, c: c}, nil
}

func (l *lockedFS) List(dir string) ([]string, error) {
	defer l.lock()()
	if l.unplugged {
		return nil, nil
	}
	return l.fs.List(dir)
}

func (l *lockedFS) Stat(name string) (vfs.FileInfo, error) {
	defer l.lock()()
	if l.unplugged {
		return nil, &os.PathError{Op: "stat", Path: name, Err: os.ErrNotExist}
	}
	return l.fs.Stat(name)
}

func (l *lockedFS) GetDiskUsage(path string) (vfs.DiskUsage, error) {
	defer l.lock()()
	return l.fs.GetDiskUsage(path)
}

func (l *lockedFS) PathBase(p string) string       { return l.fs.PathBase(p) }
func (l *lockedFS) PathJoin(elem ...string) string { return l.fs.PathJoin(elem...) }
func (l *lockedFS) PathDir(p string) string        { return l.fs.PathDir(p) }
func (l *lockedFS) Unwrap() vfs.FS                 { return nil }
func (l *lockedFS) String() string                 { return "lockedFS" }

type lockedCloser struct {
	l *lockedFS
	c io.Closer
}

func (c *lockedCloser) Close() error {
	defer c.l.lock()()
	if c.l.unplugged {
		return nil
	}
	return c.c.Close()
}

// lockedFile serialises a file's methods with the whole disk.
type lockedFile struct {
	l *lockedFS
	f vfs.File
}

func (f *lockedFile) Close() error {
	defer f.l.lock()()
	if f.l.unplugged {
		return nil
	}
	return f.f.Close()
}

func (f *lockedFile) Read(p []byte) (int, error) {
	defer f.l.lock()()
	if f.l.unplugged {
		return 0, io.EOF
	}
	return f.f.Read(p)
}

func (f *lockedFile) ReadAt(p []byte, off int64) (int, error) {
	defer f.l.lock()()
	if f.l.unplugged {
		return 0, io.EOF
	}
	return f.f.ReadAt(p, off)
}

func (f *lockedFile) Write(p []byte) (int, error) {
	defer f.l.lock()()
	if f.l.unplugged {
		return len(p), nil
	}
	return f.f.Write(p)
}

func (f *lockedFile) WriteAt(p []byte, off int64) (int, error) {
	defer f.l.lock()()
	if f.l.unplugged {
		return len(p), nil
	}
	return f.f.WriteAt(p, off)
}

func (f *lockedFile) Preallocate(off, n int64) error {
	defer f.l.lock()()
	if f.l.unplugged {
		return nil
	}
	return f.f.Preallocate(off, n)
}

func (f *lockedFile) Stat() (vfs.FileInfo, error) {
	defer f.l.lock()()
	if f.l.unplugged {
		return voidFile{}.Stat()
	}
	return f.f.Stat()
}

func (f *lockedFile) Sync() error {
	defer f.l.lock()()
	if f.l.unplugged {
		return nil
	}
	return f.f.Sync()
}

func (f *lockedFile) SyncTo(length int64) (bool, error) {
	defer f.l.lock()()
	if f.l.unplugged {
		return false, nil
	}
	return f.f.SyncTo(length)
}

func (f *lockedFile) SyncData() error {
	defer f.l.lock()()
	if f.l.unplugged {
		return nil
	}
	return f.f.SyncData()
}

func (f *lockedFile) Prefetch(off, n int64) error {
	defer f.l.lock()()
	if f.l.unplugged {
		return nil
	}
	return f.f.Prefetch(off, n)
}

func (f *lockedFile) Fd() uintptr { return vfs.InvalidFd }

// voidFile is what an unplugged wrapper hands out: writes vanish, reads
// find nothing.
type voidFile struct{}

func (voidFile) Close() error                           { return nil }
func (voidFile) Read([]byte) (int, error)               { return 0, io.EOF }
func (voidFile) ReadAt([]byte, int64) (int, error)      { return 0, io.EOF }
func (voidFile) Write(p []byte) (int, error)            { return len(p), nil }
func (voidFile) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }
func (voidFile) Preallocate(int64, int64) error         { return nil }
func (voidFile) Stat() (vfs.FileInfo, error)            { return fileInfo{name: "void"}, nil }
func (voidFile) Sync() error                            { return nil }
func (voidFile) SyncTo(int64) (bool, error)             { return false, nil }
func (voidFile) SyncData() error                        { return nil }
func (voidFile) Prefetch(int64, int64) error            { return nil }
func (voidFile) Fd() uintptr                            { return vfs.InvalidFd }
