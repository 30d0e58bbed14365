package faultfs

import (
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// clean turns a name, relative or absolute, into the disk's canonical path:
// "/"-separated, cleaned, without a leading "/". The root is "".
func clean(name string) string {
	return path.Clean("/" + name)[1:]
}

// splitPath splits a canonical path into its directory and base name.
func splitPath(p string) (dir, base string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// joinPath joins a canonical directory and a name.
func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// lookup finds the inode at a canonical path in the current tree.
func (fs *FS) lookup(p string) (*inode, error) {
	n := fs.root
	for p != "" {
		if !n.isDir() {
			return nil, syscall.ENOTDIR
		}
		name, rest, _ := strings.Cut(p, "/")
		child := n.dir.entries[name]
		if child == nil {
			return nil, os.ErrNotExist
		}
		n, p = child, rest
	}
	return n, nil
}

// lookupParent finds the directory that holds (or would hold) a canonical
// path, and the path's base name. The root has no parent.
func (fs *FS) lookupParent(p string) (*inode, string, error) {
	if p == "" {
		return nil, "", syscall.EINVAL
	}
	dir, base := splitPath(p)
	d, err := fs.lookup(dir)
	if err != nil {
		return nil, "", err
	}
	if !d.isDir() {
		return nil, "", syscall.ENOTDIR
	}
	return d, base, nil
}

func pathErr(op, name string, err error) error {
	return &os.PathError{Op: op, Path: name, Err: err}
}

func linkErr(op, oldname, newname string, err error) error {
	return &os.LinkError{Op: op, Old: oldname, New: newname, Err: err}
}

// fileInfo is a snapshot of an inode for Stat.
type fileInfo struct {
	name    string
	size    int64
	modTime int64
	isDir   bool
}

var _ vfs.FileInfo = fileInfo{}

func statInode(p string, n *inode) fileInfo {
	name := path.Base("/" + p)
	return fileInfo{name: name, size: n.data.size(), modTime: n.modTime, isDir: n.isDir()}
}

func (fi fileInfo) Name() string           { return fi.name }
func (fi fileInfo) Size() int64            { return fi.size }
func (fi fileInfo) ModTime() time.Time     { return time.Unix(0, fi.modTime) }
func (fi fileInfo) IsDir() bool            { return fi.isDir }
func (fi fileInfo) Sys() any               { return nil }
func (fi fileInfo) DeviceID() vfs.DeviceID { return vfs.DeviceID{} }

func (fi fileInfo) Mode() os.FileMode {
	if fi.isDir {
		return os.ModeDir | 0o755
	}
	return 0o644
}
