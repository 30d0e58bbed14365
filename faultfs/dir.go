package faultfs

import (
	"maps"
	"slices"
)

// dirState is a directory's entries, current and durable.
//
// A create, rename, link or remove changes entries at once and appends an
// entryOp to pending; a sync of the directory copies entries to durable and
// clears pending. A power loss starts again from durable and, in the torn
// and lying modes, replays a random subset of pending.
type dirState struct {
	entries map[string]*inode
	durable map[string]*inode
	pending []entryOp
}

// entryOp is one name change in one directory. The changes a single
// operation makes (the two names of a rename, even across directories)
// share an id, and a power loss keeps or loses them together.
type entryOp struct {
	id   uint64
	name string
	ino  *inode // nil removes the name
}

func newDir(now int64) *inode {
	return &inode{modTime: now, dir: &dirState{
		entries: make(map[string]*inode),
		durable: make(map[string]*inode),
	}}
}

// sortedNames lists a directory's current names in order.
func (d *dirState) sortedNames() []string {
	return slices.Sorted(maps.Keys(d.entries))
}

// sync makes the current entries durable.
func (d *dirState) sync() {
	d.durable = maps.Clone(d.entries)
	d.pending = nil
}

// entryChange sets name in dir to ino (nil removes it).
type entryChange struct {
	dir  *inode
	name string
	ino  *inode
}

// changeEntries applies changes as one atomic directory operation and keeps
// the link counts and disk usage up to date.
func (fs *FS) changeEntries(changes ...entryChange) {
	id := fs.nextEntryOp
	fs.nextEntryOp++
	now := fs.now()
	for _, c := range changes {
		d := c.dir.dir
		old := d.entries[c.name]
		if c.ino != nil {
			d.entries[c.name] = c.ino
			fs.link(c.ino)
		} else {
			delete(d.entries, c.name)
		}
		if old != nil {
			fs.unlink(old)
		}
		d.pending = append(d.pending, entryOp{id: id, name: c.name, ino: c.ino})
		c.dir.modTime = now
	}
}

func (fs *FS) link(n *inode) {
	if n.isDir() {
		return
	}
	if n.nlink == 0 {
		fs.used += n.data.size()
	}
	n.nlink++
}

func (fs *FS) unlink(n *inode) {
	if n.isDir() {
		return
	}
	n.nlink--
	if n.nlink == 0 {
		fs.used -= n.data.size()
	}
}
