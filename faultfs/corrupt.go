package faultfs

import (
	"fmt"
	"strings"
)

// CorruptKind is a way synced data goes bad at rest.
type CorruptKind int

const (
	// BitFlip flips one bit.
	BitFlip CorruptKind = iota
	// ZeroSector zeroes one 512-byte aligned sector (or the partial last
	// one).
	ZeroSector
	// Truncate cuts the file at a random offset below its size.
	Truncate
	// Misdirect writes one sector's worth of durable data at another
	// sector-aligned place, in the same file or another matching one,
	// overwriting what was there.
	Misdirect
	// Wipe removes the target, a file or a whole directory, and its entry,
	// durably: an operator's mistake, a filesystem that lost a directory.
	Wipe
)

var corruptNames = [...]string{BitFlip: "bit-flip", ZeroSector: "zero-sector", Truncate: "truncate", Misdirect: "misdirect",
	Wipe: "wipe"}

func (k CorruptKind) String() string {
	if k >= 0 && int(k) < len(corruptNames) {
		return corruptNames[k]
	}
	return fmt.Sprintf("CorruptKind(%d)", int(k))
}

// MarshalText writes the kind's name.
func (k CorruptKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a corruption kind's name; an unknown name is an error.
func (k *CorruptKind) UnmarshalText(b []byte) error {
	for i, name := range corruptNames {
		if name == string(b) {
			*k = CorruptKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown corruption kind %q (%s)", b, strings.Join(corruptNames[:], ", "))
}

// Corrupt damages the durable bytes of one file whose path starts with
// target ("" for any), chosen with the disk's stream among the files, in
// sorted path order, that hold durable bytes. Reads see the damage at once,
// as if the page cache had been dropped; writes not yet synced still show
// over it. Wipe instead removes target itself (not a prefix: a path) with
// everything under it. It reports the fault to OnFault and returns it, or
// returns false and changes nothing if nothing qualifies. It is not an
// operation: it neither charges a cost nor calls AfterOp.
func (fs *FS) Corrupt(k CorruptKind, target string) (Fault, bool) {
	if k == Wipe {
		return fs.wipe(clean(strings.Trim(target, "/")))
	}
	cands := fs.corruptible(strings.TrimLeft(target, "/"))
	if len(cands) == 0 || k < 0 || int(k) >= len(corruptNames) {
		return Fault{}, false
	}
	if k == Misdirect {
		return fs.misdirect(cands)
	}
	c := cands[fs.rand.Intn(len(cands))]
	c.n.data.settle()
	return fs.damage(c, k, 0, int64(len(c.n.data.stableImage())))
}

// CorruptWithin is Corrupt aimed inside one file: locate finds, in a
// file's durable bytes, the extent to damage (a page of a checkpoint, say).
// The file is the last in path order under target in which locate finds
// one (of files named by a sequence number, such as checkpoints, the
// newest). A bit flip or a cut lands inside the extent; a zeroed sector is
// a whole sector that overlaps it. Wipe and Misdirect are not aimed: it
// reports false for them.
func (fs *FS) CorruptWithin(k CorruptKind, target string, locate func(data []byte) (off, n int64, ok bool)) (Fault, bool) {
	if k != BitFlip && k != ZeroSector && k != Truncate {
		return Fault{}, false
	}
	type aimed struct {
		c      corruptTarget
		off, n int64
	}
	var cands []aimed
	for _, c := range fs.corruptible(strings.TrimLeft(target, "/")) {
		data := c.n.data.durableImage()
		if off, n, ok := locate(data); ok && n > 0 && off >= 0 && off+n <= int64(len(data)) {
			cands = append(cands, aimed{c, off, n})
		}
	}
	if len(cands) == 0 {
		return Fault{}, false
	}
	a := cands[len(cands)-1]
	a.c.n.data.settle()
	return fs.damage(a.c, k, a.off, a.off+a.n)
}

// damage applies a bit flip, a zeroed sector or a cut to c's durable bytes
// within [lo, hi), and reports it.
func (fs *FS) damage(c corruptTarget, k CorruptKind, lo, hi int64) (Fault, bool) {
	d := &c.n.data
	stable := d.mutableStable()
	size := int64(len(stable))
	f := Fault{Kind: "corrupt/" + k.String(), Path: c.path}
	switch k {
	case BitFlip:
		off, bit := lo+int64(fs.rand.Below(uint64(hi-lo))), fs.rand.Intn(8)
		stable[off] ^= 1 << bit
		f.Off, f.Len, f.Detail = off, 1, fmt.Sprintf("bit %d flipped", bit)
	case ZeroSector:
		first := lo / sectorSize
		off := (first + int64(fs.rand.Below(uint64(sectors(hi)-first)))) * sectorSize
		end := min(off+sectorSize, size)
		clear(stable[off:end])
		f.Off, f.Len, f.Detail = off, end-off, "sector zeroed"
	case Truncate:
		cut := lo + int64(fs.rand.Below(uint64(hi-lo)))
		d.stable = stable[:cut]
		f.Off, f.Len, f.Detail = cut, size-cut, fmt.Sprintf("truncated from %d to %d bytes", size, cut)
	}
	fs.dropCache(c.n)
	fs.fault(f)
	return f, true
}

// wipe removes path and everything under it, its removal durable at once.
func (fs *FS) wipe(p string) (Fault, bool) {
	d, base, err := fs.lookupParent(p)
	if err != nil || d.dir.entries[base] == nil {
		return Fault{}, false
	}
	fs.removeTree(d, base, d.dir.entries[base])
	d.dir.sync()
	f := Fault{Kind: "corrupt/" + Wipe.String(), Path: p, Detail: "removed, with everything under it"}
	fs.fault(f)
	return f, true
}

// misdirect copies a random durable sector over another one.
func (fs *FS) misdirect(cands []corruptTarget) (Fault, bool) {
	var total int64
	for _, c := range cands {
		total += sectors(c.n.data.durableSize())
	}
	if total < 2 {
		return Fault{}, false
	}
	src := int64(fs.rand.Below(uint64(total)))
	dst := int64(fs.rand.Below(uint64(total - 1)))
	if dst >= src {
		dst++
	}
	from, fromOff := locateSector(cands, src)
	to, toOff := locateSector(cands, dst)
	from.n.data.settle()
	to.n.data.settle()
	fromData := from.n.data.stableImage()
	chunk := append([]byte(nil), fromData[fromOff:min(fromOff+sectorSize, int64(len(fromData)))]...)
	toData := to.n.data.mutableStable()
	n := min(int64(len(chunk)), int64(len(toData))-toOff)
	copy(toData[toOff:], chunk[:n])
	fs.dropCache(to.n)
	f := Fault{Kind: "corrupt/misdirect", Path: to.path, Off: toOff, Len: n,
		Detail: fmt.Sprintf("sector of %s at %d written here", from.path, fromOff)}
	fs.fault(f)
	return f, true
}

// corruptTarget is a file that holds durable bytes, by its first path.
type corruptTarget struct {
	path string
	n    *inode
}

// corruptible lists, in sorted path order, the files under prefix with
// durable bytes, each inode once.
func (fs *FS) corruptible(prefix string) []corruptTarget {
	var out []corruptTarget
	seen := make(map[*inode]bool)
	var walk func(dir *inode, p string)
	walk = func(dir *inode, p string) {
		for _, name := range dir.dir.sortedNames() {
			n, np := dir.dir.entries[name], joinPath(p, name)
			switch {
			case n.isDir():
				if strings.HasPrefix(np, prefix) || strings.HasPrefix(prefix, np+"/") {
					walk(n, np)
				}
			case !seen[n] && strings.HasPrefix(np, prefix) && n.data.durableSize() > 0:
				seen[n] = true
				out = append(out, corruptTarget{path: np, n: n})
			}
		}
	}
	walk(fs.root, "")
	return out
}

// locateSector maps an index over the candidates' durable sectors to a file
// and offset.
func locateSector(cands []corruptTarget, i int64) (corruptTarget, int64) {
	for _, c := range cands {
		n := sectors(c.n.data.durableSize())
		if i < n {
			return c, i * sectorSize
		}
		i -= n
	}
	panic("faultfs: sector index out of range")
}

func sectors(size int64) int64 { return (size + sectorSize - 1) / sectorSize }

// dropCache rebuilds a file's page cache after its durable bytes changed
// underneath it.
func (fs *FS) dropCache(n *inode) {
	before := n.data.size()
	n.data.dropCache()
	if n.nlink > 0 {
		fs.used += n.data.size() - before
	}
}
