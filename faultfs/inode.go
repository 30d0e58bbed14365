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
// cur is the page cache, what reads return. The stable image survives any
// power loss. log holds, oldest first, every write made since the stable
// image was taken; log[:synced] have been synced. A sync marks the log
// synced and folds the oldest synced writes into the stable image once more
// than the lying window are synced, so its cost is proportional to what was
// written since the previous sync, never to the file's size. The synced
// state is the stable image with log[:synced] applied.
//
// The stable image usually needs no memory of its own: while ownStable is
// false it is cur[:stableLen]. That holds as long as no logged write
// overlaps that prefix, which is always the case for an append-only file.
// A write into the prefix, or a fold that cannot extend it in place, first
// copies it into stable.
type fileData struct {
	cur       []byte
	ownStable bool
	stable    []byte // the stable image when ownStable
	stableLen int64  // the stable image is cur[:stableLen] when !ownStable
	log       []write
	synced    int
}

func (d *fileData) size() int64 { return int64(len(d.cur)) }

// stableImage returns the stable image. The caller must not modify it.
func (d *fileData) stableImage() []byte {
	if d.ownStable {
		return d.stable
	}
	return d.cur[:d.stableLen]
}

// mutableStable gives the stable image memory of its own and returns it.
func (d *fileData) mutableStable() []byte {
	if !d.ownStable {
		d.stable = append([]byte(nil), d.cur[:d.stableLen]...)
		d.ownStable = true
	}
	return d.stable
}

// writeAt updates the page cache and logs the write as unsynced.
func (d *fileData) writeAt(p []byte, off int64) {
	if !d.ownStable && off < d.stableLen {
		d.mutableStable()
	}
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

// fold applies the oldest n synced writes to the stable image and drops
// them from the log.
func (d *fileData) fold(n int) {
	for i, w := range d.log[:n] {
		if !d.ownStable && !d.overlapsLater(i, d.stableLen, w.end()) {
			// cur[stableLen:w.end()] holds exactly w over zeros.
			d.stableLen = max(d.stableLen, w.end())
			continue
		}
		d.stable = applyAt(d.mutableStable(), w.off, w.data)
	}
	// Dropping from the front lets append reallocate, and so compact, the
	// log only now and then.
	clear(d.log[:n])
	d.log = d.log[n:]
	d.synced -= n
}

// overlapsLater reports whether a write logged after log[i] touches
// [from, to).
func (d *fileData) overlapsLater(i int, from, to int64) bool {
	for _, w := range d.log[i+1:] {
		if w.off < to && w.end() > from {
			return true
		}
	}
	return false
}

// settle folds every synced write into the stable image, which then is
// exactly the durable image.
func (d *fileData) settle() { d.fold(d.synced) }

// durableImage is a copy of the synced state, leaving the file as it is.
func (d *fileData) durableImage() []byte {
	img := append([]byte(nil), d.stableImage()...)
	for _, w := range d.log[:d.synced] {
		img = applyAt(img, w.off, w.data)
	}
	return img
}

// durableSize is the size of the synced state.
func (d *fileData) durableSize() int64 {
	size := int64(len(d.stableImage()))
	for _, w := range d.log[:d.synced] {
		size = max(size, w.end())
	}
	return size
}

// dropCache rebuilds the page cache from an owned stable image plus the
// writes not yet synced, as if clean pages had been evicted and re-read.
func (d *fileData) dropCache() {
	d.cur = append(d.cur[:0], d.mutableStable()...)
	for _, w := range d.log[d.synced:] {
		d.cur = applyAt(d.cur, w.off, w.data)
	}
}

// reset makes image the file's whole content, durable and cached. It takes
// ownership of image.
func (d *fileData) reset(image []byte) {
	*d = fileData{cur: image, stableLen: int64(len(image))}
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
