package faultfs

// sectorSize is the unit in which writes tear and sectors are corrupted.
const sectorSize = 512

// inode is a regular file or a directory. Hard links share one inode.
type inode struct {
	modTime int64
	nlink   int       // names in the current tree (regular files)
	dir     *dirState // nil for a regular file
	data    fileData  // unused for a directory
}

func newFile(now int64) *inode { return &inode{modTime: now} }

func (n *inode) isDir() bool { return n.dir != nil }

// write is one write since the file's stable image. data is owned by the
// log: it is a copy of the caller's buffer.
type write struct {
	off  int64
	data []byte
}

func (w write) end() int64 { return w.off + int64(len(w.data)) }

// fileData is a file's bytes and what of them is durable.
//
// cur is the page cache, what reads return. stable survives any power loss.
// log holds, oldest first, every write made since stable was taken; log[:synced]
// have been synced. A sync marks the log synced and folds the oldest synced
// writes into stable once more than the lying window are synced, so its cost
// is proportional to what was written since the previous sync, never to the
// file's size. The synced state is stable with log[:synced] applied.
type fileData struct {
	cur    []byte
	stable []byte
	log    []write
	synced int
}

func (d *fileData) size() int64 { return int64(len(d.cur)) }

// writeAt updates the page cache and logs the write as unsynced.
func (d *fileData) writeAt(p []byte, off int64) {
	d.cur = applyAt(d.cur, off, p)
	d.log = append(d.log, write{off: off, data: append([]byte(nil), p...)})
}

// sync makes every logged write durable, keeping the newest window synced
// writes revocable by a lying power loss.
func (d *fileData) sync(window int) {
	d.synced = len(d.log)
	if d.synced > window {
		d.fold(d.synced - window)
	}
}

// fold applies the oldest n synced writes to stable and drops them from the
// log.
func (d *fileData) fold(n int) {
	for _, w := range d.log[:n] {
		d.stable = applyAt(d.stable, w.off, w.data)
	}
	rest := copy(d.log, d.log[n:])
	clear(d.log[rest:])
	d.log = d.log[:rest]
	d.synced -= n
}

// settle folds every synced write into stable, so stable is exactly the
// durable image.
func (d *fileData) settle() { d.fold(d.synced) }

// durableSize is the size of the synced state.
func (d *fileData) durableSize() int64 {
	size := int64(len(d.stable))
	for _, w := range d.log[:d.synced] {
		size = max(size, w.end())
	}
	return size
}

// dropCache rebuilds the page cache from the durable image plus the writes
// not yet synced, as if clean pages had been evicted and re-read.
func (d *fileData) dropCache() {
	d.cur = append(d.cur[:0], d.stable...)
	for _, w := range d.log[d.synced:] {
		d.cur = applyAt(d.cur, w.off, w.data)
	}
}

// reset makes image the file's whole content, durable and cached. It takes
// ownership of image.
func (d *fileData) reset(image []byte) {
	d.stable = image
	d.cur = append([]byte(nil), image...)
	d.log = nil
	d.synced = 0
}

// applyAt writes p at off into b, growing b with zeros as needed.
func applyAt(b []byte, off int64, p []byte) []byte {
	end := off + int64(len(p))
	if end <= int64(len(b)) {
		copy(b[off:], p)
		return b
	}
	b = zeroExtend(b, off)
	return append(b[:off], p...)
}

// zeroExtend grows b to at least size bytes, the new bytes zero.
func zeroExtend(b []byte, size int64) []byte {
	n := int64(len(b))
	if size <= n {
		return b
	}
	if size <= int64(cap(b)) {
		b = b[:size]
		clear(b[n:])
		return b
	}
	grown := make([]byte, size, max(size, 2*int64(cap(b))))
	copy(grown, b)
	return grown
}
