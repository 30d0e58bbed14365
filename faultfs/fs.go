package faultfs

import (
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// Create implements vfs.FS. An existing file of that name is replaced by a
// new, empty inode in one directory operation.
func (fs *FS) Create(name string, _ vfs.DiskWriteCategory) (vfs.File, error) {
	p := clean(name)
	if err := fs.begin(errorfs.OpCreate, p, 0); err != nil {
		return nil, pathErr("create", name, err)
	}
	n, err := fs.create(p)
	if err != nil {
		return nil, pathErr("create", name, err)
	}
	f := fs.newHandle(p, n, true, true)
	fs.mutated(errorfs.OpCreate, p, 0)
	return f, nil
}

// create puts a new empty file at p, replacing a file already there.
func (fs *FS) create(p string) (*inode, error) {
	d, base, err := fs.lookupParent(p)
	if err != nil {
		return nil, err
	}
	if old := d.dir.entries[base]; old != nil && old.isDir() {
		return nil, syscall.EISDIR
	}
	n := newFile(fs.now())
	fs.changeEntries(entryChange{dir: d, name: base, ino: n})
	return n, nil
}

// Link implements vfs.FS: newname becomes another name of oldname's inode.
func (fs *FS) Link(oldname, newname string) error {
	po, pn := clean(oldname), clean(newname)
	if err := fs.begin(errorfs.OpLink, po, 0); err != nil {
		return linkErr("link", oldname, newname, err)
	}
	n, err := fs.lookup(po)
	if err != nil {
		return linkErr("link", oldname, newname, err)
	}
	if n.isDir() {
		return linkErr("link", oldname, newname, syscall.EPERM)
	}
	d, base, err := fs.lookupParent(pn)
	if err != nil {
		return linkErr("link", oldname, newname, err)
	}
	if d.dir.entries[base] != nil {
		return linkErr("link", oldname, newname, os.ErrExist)
	}
	fs.changeEntries(entryChange{dir: d, name: base, ino: n})
	fs.mutated(errorfs.OpLink, po, 0)
	return nil
}

// Open implements vfs.FS: a read-only handle on a file or directory.
func (fs *FS) Open(name string, opts ...vfs.OpenOption) (vfs.File, error) {
	p := clean(name)
	if err := fs.begin(errorfs.OpOpen, p, 0); err != nil {
		return nil, pathErr("open", name, err)
	}
	n, err := fs.lookup(p)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	f := fs.newHandle(p, n, true, false)
	for _, o := range opts {
		o.Apply(f)
	}
	return f, nil
}

// OpenReadWrite implements vfs.FS, creating the file if it does not exist.
func (fs *FS) OpenReadWrite(name string, _ vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	p := clean(name)
	n, err := fs.lookup(p)
	creating := err != nil && errors.Is(err, os.ErrNotExist)
	kind := errorfs.OpOpen
	if creating {
		kind = errorfs.OpCreate
	}
	if err := fs.begin(kind, p, 0); err != nil {
		return nil, pathErr("open", name, err)
	}
	switch {
	case creating:
		if n, err = fs.create(p); err != nil {
			return nil, pathErr("open", name, err)
		}
	case err != nil:
		return nil, pathErr("open", name, err)
	case n.isDir():
		return nil, pathErr("open", name, syscall.EISDIR)
	}
	f := fs.newHandle(p, n, true, true)
	for _, o := range opts {
		o.Apply(f)
	}
	if creating {
		fs.mutated(errorfs.OpCreate, p, 0)
	}
	return f, nil
}

// OpenDir implements vfs.FS: a handle whose Sync makes the directory's
// entries durable.
func (fs *FS) OpenDir(name string) (vfs.File, error) {
	p := clean(name)
	if err := fs.begin(errorfs.OpOpenDir, p, 0); err != nil {
		return nil, pathErr("open", name, err)
	}
	n, err := fs.lookup(p)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return fs.newHandle(p, n, true, false), nil
}

// Remove implements vfs.FS for a file or an empty directory.
func (fs *FS) Remove(name string) error {
	p := clean(name)
	if err := fs.begin(errorfs.OpRemove, p, 0); err != nil {
		return pathErr("remove", name, err)
	}
	d, base, err := fs.lookupParent(p)
	if err != nil {
		return pathErr("remove", name, err)
	}
	n := d.dir.entries[base]
	switch {
	case n == nil:
		return pathErr("remove", name, os.ErrNotExist)
	case n.isDir() && len(n.dir.entries) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	fs.changeEntries(entryChange{dir: d, name: base})
	fs.mutated(errorfs.OpRemove, p, 0)
	return nil
}

// RemoveAll implements vfs.FS. Like os.RemoveAll it removes the children
// before their directory, each removal its own directory operation, and a
// missing name is no error.
func (fs *FS) RemoveAll(name string) error {
	p := clean(name)
	if err := fs.begin(errorfs.OpRemoveAll, p, 0); err != nil {
		return pathErr("removeall", name, err)
	}
	d, base, err := fs.lookupParent(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return pathErr("removeall", name, err)
	}
	n := d.dir.entries[base]
	if n == nil {
		return nil
	}
	fs.removeTree(d, base, n)
	fs.mutated(errorfs.OpRemoveAll, p, 0)
	return nil
}

func (fs *FS) removeTree(parent *inode, name string, n *inode) {
	if n.isDir() {
		for _, child := range n.dir.sortedNames() {
			fs.removeTree(n, child, n.dir.entries[child])
		}
	}
	fs.changeEntries(entryChange{dir: parent, name: name})
}

// Rename implements vfs.FS. It replaces newname like os.Rename and is one
// atomic directory operation, also when the names are in two directories.
func (fs *FS) Rename(oldname, newname string) error {
	po, pn := clean(oldname), clean(newname)
	if err := fs.begin(errorfs.OpRename, po, 0); err != nil {
		return linkErr("rename", oldname, newname, err)
	}
	changed, err := fs.rename(po, pn)
	if err != nil {
		return linkErr("rename", oldname, newname, err)
	}
	if changed {
		fs.mutated(errorfs.OpRename, po, 0)
	}
	return nil
}

// rename moves po to pn and reports whether anything changed.
func (fs *FS) rename(po, pn string) (bool, error) {
	od, obase, err := fs.lookupParent(po)
	if err != nil {
		return false, err
	}
	n := od.dir.entries[obase]
	if n == nil {
		return false, os.ErrNotExist
	}
	nd, nbase, err := fs.lookupParent(pn)
	if err != nil {
		return false, err
	}
	if n.isDir() && strings.HasPrefix(pn, po+"/") {
		return false, syscall.EINVAL
	}
	old := nd.dir.entries[nbase]
	switch {
	case old == n:
		return false, nil // the same inode: POSIX says do nothing
	case old == nil:
	case old.isDir() && !n.isDir():
		return false, syscall.EISDIR
	case !old.isDir() && n.isDir():
		return false, syscall.ENOTDIR
	case old.isDir() && len(old.dir.entries) > 0:
		return false, syscall.ENOTEMPTY
	}
	fs.changeEntries(entryChange{dir: od, name: obase}, entryChange{dir: nd, name: nbase, ino: n})
	return true, nil
}

// ReuseForWrite implements vfs.FS: it renames oldname to newname and opens
// it for writing without truncating it.
func (fs *FS) ReuseForWrite(oldname, newname string, _ vfs.DiskWriteCategory) (vfs.File, error) {
	po, pn := clean(oldname), clean(newname)
	if err := fs.begin(errorfs.OpReuseForWrite, po, 0); err != nil {
		return nil, linkErr("reuseforwrite", oldname, newname, err)
	}
	if _, err := fs.rename(po, pn); err != nil {
		return nil, linkErr("reuseforwrite", oldname, newname, err)
	}
	n, err := fs.lookup(pn)
	if err != nil {
		return nil, linkErr("reuseforwrite", oldname, newname, err)
	}
	if n.isDir() {
		return nil, linkErr("reuseforwrite", oldname, newname, syscall.EISDIR)
	}
	f := fs.newHandle(pn, n, false, true)
	fs.mutated(errorfs.OpReuseForWrite, po, 0)
	return f, nil
}

// MkdirAll implements vfs.FS. Each directory it creates is a separate entry
// in its parent, durable once that parent is synced.
func (fs *FS) MkdirAll(dir string, _ os.FileMode) error {
	p := clean(dir)
	if err := fs.begin(errorfs.OpMkdirAll, p, 0); err != nil {
		return pathErr("mkdir", dir, err)
	}
	n, rest, created := fs.root, p, false
	for rest != "" {
		var name string
		name, rest, _ = strings.Cut(rest, "/")
		child := n.dir.entries[name]
		if child == nil {
			child = newDir(fs.now())
			fs.changeEntries(entryChange{dir: n, name: name, ino: child})
			created = true
		} else if !child.isDir() {
			return pathErr("mkdir", dir, syscall.ENOTDIR)
		}
		n = child
	}
	if created {
		fs.mutated(errorfs.OpMkdirAll, p, 0)
	}
	return nil
}

// Lock implements vfs.FS with an in-memory lock table: it creates (and so
// truncates) the file, and fails with EAGAIN if the name is already locked.
// A crash or power loss releases every lock.
func (fs *FS) Lock(name string) (io.Closer, error) {
	p := clean(name)
	if err := fs.begin(errorfs.OpLock, p, 0); err != nil {
		return nil, pathErr("lock", name, err)
	}
	if fs.locks[p] {
		return nil, pathErr("lock", name, syscall.EAGAIN)
	}
	if _, err := fs.create(p); err != nil {
		return nil, pathErr("lock", name, err)
	}
	fs.locks[p] = true
	l := &lock{fs: fs, path: p, epoch: fs.epoch}
	fs.mutated(errorfs.OpLock, p, 0)
	return l, nil
}

type lock struct {
	fs       *FS
	path     string
	epoch    uint64
	released bool
}

// Close releases the lock. After a crash the lock is already gone.
func (l *lock) Close() error {
	if l.epoch != l.fs.epoch {
		return pathErr("unlock", l.path, ErrStaleHandle)
	}
	if !l.released {
		l.released = true
		delete(l.fs.locks, l.path)
	}
	return nil
}

// List implements vfs.FS; the names come sorted.
func (fs *FS) List(dir string) ([]string, error) {
	p := clean(dir)
	if err := fs.begin(errorfs.OpList, p, 0); err != nil {
		return nil, pathErr("list", dir, err)
	}
	n, err := fs.lookup(p)
	if err != nil {
		return nil, pathErr("list", dir, err)
	}
	if !n.isDir() {
		return nil, pathErr("list", dir, syscall.ENOTDIR)
	}
	return n.dir.sortedNames(), nil
}

// Stat implements vfs.FS.
func (fs *FS) Stat(name string) (vfs.FileInfo, error) {
	p := clean(name)
	if err := fs.begin(errorfs.OpStat, p, 0); err != nil {
		return nil, pathErr("stat", name, err)
	}
	n, err := fs.lookup(p)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return statInode(p, n), nil
}

// Unfaulted is a view of the disk that injected errors do not reach, for
// a harness that looks at the disk between the steps of what it tests (is
// a store there at boot?): only the system under test may see a fault.
// Its Stat costs what the disk's does.
func (fs *FS) Unfaulted() vfs.FS { return unfaulted{fs} }

type unfaulted struct{ *FS }

func (u unfaulted) Stat(name string) (vfs.FileInfo, error) {
	inj := u.inj
	u.inj = nil
	fi, err := u.FS.Stat(name)
	u.inj = inj
	return fi, err
}

// PathBase implements vfs.FS with "/" separators.
func (*FS) PathBase(p string) string { return path.Base(p) }

// PathJoin implements vfs.FS with "/" separators.
func (*FS) PathJoin(elem ...string) string { return path.Join(elem...) }

// PathDir implements vfs.FS with "/" separators.
func (*FS) PathDir(p string) string { return path.Dir(p) }

// Unwrap implements vfs.FS: faultfs wraps nothing.
func (*FS) Unwrap() vfs.FS { return nil }
