package kvstore

import (
	"bytes"
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/google/btree"
)

// Checkpoint format, shared by CKPT-<gen> (level 2, synced) and L1
// (level 1, never synced): a header with the page table, then each page's
// pairs. The header has its own checksum, and so does each page, so damage
// inside one page is that page's, not the checkpoint's:
//
//	magic[4] ("KVCK" or "KVL1") | version u32 | generation u64 | seq u64 |
//	anchorOff u64 | anchorCRC u32 | pages u32 |
//	pages x (offset u64 | length u64 | count u64 | lsn u64 | crc u32) |
//	crc u32 = CRC32C(everything before it)
//	then each page at its offset: count x (uvarint keyLen | key | uvarint
//	valueLen | value), keys ascending and within the page; its crc is
//	CRC32C of those bytes
//
// The anchor (L1 only) is the offset in LOG-<gen> and the entry CRC of the
// record with sequence seq, the last one the checkpoint includes.
const (
	ckptFixedSize = 40 // the header before the page table
	pageEntrySize = 36
)

var (
	l2Magic = []byte("KVCK")
	l1Magic = []byte("KVL1")
)

// checkpoint is a decoded state.
type checkpoint struct {
	gen     uint64
	seq     uint64
	anchor  recordRef // L1 only
	tree    *btree.BTreeG[item]
	pageLSN []uint64
	damaged []*CorruptionError // per page: nil if intact
}

// damagedPages lists the pages found damaged.
func (c *checkpoint) damagedPages() []int {
	var out []int
	for p, e := range c.damaged {
		if e != nil {
			out = append(out, p)
		}
	}
	return out
}

func encodeCheckpoint(magic []byte, lay layout, c checkpoint) []byte {
	n := lay.pages()
	bodies := make([][]byte, n)
	counts := make([]uint64, n)
	size := ckptFixedSize + n*pageEntrySize + 4
	c.tree.Ascend(func(it item) bool {
		p := lay.pageOf(it.key)
		bodies[p] = appendString(bodies[p], it.key)
		bodies[p] = binary.AppendUvarint(bodies[p], uint64(len(it.value)))
		bodies[p] = append(bodies[p], it.value...)
		counts[p]++
		return true
	})
	for _, body := range bodies {
		size += len(body)
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = binary.LittleEndian.AppendUint64(b, c.gen)
	b = binary.LittleEndian.AppendUint64(b, c.seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(c.anchor.off))
	b = binary.LittleEndian.AppendUint32(b, c.anchor.crc)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	off := uint64(ckptFixedSize + n*pageEntrySize + 4)
	for p, body := range bodies {
		b = binary.LittleEndian.AppendUint64(b, off)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(body)))
		b = binary.LittleEndian.AppendUint64(b, counts[p])
		b = binary.LittleEndian.AppendUint64(b, c.pageLSN[p])
		b = binary.LittleEndian.AppendUint32(b, checksum(body))
		off += uint64(len(body))
	}
	b = binary.LittleEndian.AppendUint32(b, checksum(b))
	for _, body := range bodies {
		b = append(b, body...)
	}
	return b
}

// decodeCheckpoint checks and decodes a checkpoint file laid out in lay. A
// defect of the header or page table, or bytes past the last page, is a
// *CorruptionError; a defect inside one page (its checksum, its pairs, or
// a file cut short within it) leaves the page out of the tree and is
// recorded in c.damaged. Whether either matters is the caller's call (it
// does for level 2, never for level 1).
func decodeCheckpoint(path string, magic []byte, lay layout, b []byte) (checkpoint, error) {
	var c checkpoint
	n := lay.pages()
	head := ckptFixedSize + n*pageEntrySize + 4
	switch {
	case len(b) < ckptFixedSize:
		return c, corruptf(path, 0, "checkpoint is %d bytes, too short", len(b))
	case !bytes.Equal(b[:4], magic):
		return c, corruptf(path, 0, "bad checkpoint magic")
	case binary.LittleEndian.Uint32(b[36:]) != uint32(n):
		return c, corruptf(path, 36, "checkpoint of %d pages, the store has %d", binary.LittleEndian.Uint32(b[36:]), n)
	case len(b) < head:
		return c, corruptf(path, 0, "checkpoint is %d bytes, its page table needs %d", len(b), head)
	case binary.LittleEndian.Uint32(b[head-4:]) != checksum(b[:head-4]):
		return c, corruptf(path, int64(head-4), "checkpoint header checksum mismatch")
	case binary.LittleEndian.Uint32(b[4:]) != formatVersion:
		return c, corruptf(path, 4, "unknown format version %d", binary.LittleEndian.Uint32(b[4:]))
	}
	c.gen = binary.LittleEndian.Uint64(b[8:])
	c.seq = binary.LittleEndian.Uint64(b[16:])
	c.anchor = recordRef{
		off: int64(binary.LittleEndian.Uint64(b[24:])),
		seq: c.seq,
		crc: binary.LittleEndian.Uint32(b[32:]),
	}
	c.tree, c.pageLSN, c.damaged = newTree(), make([]uint64, n), make([]*CorruptionError, n)
	end := uint64(head)
	for p := range n {
		e := b[ckptFixedSize+p*pageEntrySize:]
		off, size := binary.LittleEndian.Uint64(e), binary.LittleEndian.Uint64(e[8:])
		if off != end || size > uint64(1)<<40 {
			return c, corruptf(path, int64(ckptFixedSize+p*pageEntrySize), "page %d at offset %d, want %d", p, off, end)
		}
		end += size
		c.pageLSN[p] = binary.LittleEndian.Uint64(e[24:])
		c.damaged[p] = decodePage(path, lay, p, b, off, size, binary.LittleEndian.Uint64(e[16:]), binary.LittleEndian.Uint32(e[32:]), c.tree)
	}
	if uint64(len(b)) > end {
		return c, corruptf(path, int64(end), "%d bytes after the last page", uint64(len(b))-end)
	}
	return c, nil
}

// decodePage adds page p's pairs to t, or reports why the page is damaged
// (then it adds none of them).
func decodePage(path string, lay layout, p int, b []byte, off, size, count uint64, crc uint32, t *btree.BTreeG[item]) *CorruptionError {
	if off+size > uint64(len(b)) {
		return corruptf(path, int64(off), "page %d cut short: %d of its %d bytes", p, max(int64(len(b))-int64(off), 0), size)
	}
	body := b[off : off+size]
	if checksum(body) != crc {
		return corruptf(path, int64(off), "page %d checksum mismatch", p)
	}
	var pairs []item
	prev := ""
	for i := uint64(0); i < count; i++ {
		key, rest, ok := cutBytes(body)
		if !ok {
			return corruptf(path, int64(off), "page %d: truncated key %d of %d", p, i, count)
		}
		value, rest, ok := cutBytes(rest)
		if !ok {
			return corruptf(path, int64(off), "page %d: truncated value %d of %d", p, i, count)
		}
		if i > 0 && string(key) <= prev || !lay.contains(p, string(key)) {
			return corruptf(path, int64(off), "page %d: key out of order or outside the page", p)
		}
		prev = string(key)
		pairs = append(pairs, item{key: prev, value: append([]byte{}, value...)})
		body = rest
	}
	if len(body) != 0 {
		return corruptf(path, int64(off+size)-int64(len(body)), "page %d: %d bytes after its last pair", p, len(body))
	}
	for _, it := range pairs {
		t.ReplaceOrInsert(it)
	}
	return nil
}

// writeL1 writes the level-1 checkpoint, anchored on the last record. It is
// not synced: it only ever helps after a process crash, when the log it is
// anchored in is still there.
func (s *Store) writeL1() error {
	path := s.path(l1Name)
	data := encodeCheckpoint(l1Magic, s.lay, checkpoint{gen: s.gen, seq: s.seq, anchor: s.last, tree: s.tree, pageLSN: s.pageLSN})
	f, err := s.fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return ioErr("create", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return ioErr("write", path, err)
	}
	if err := f.Close(); err != nil {
		return ioErr("close", path, err)
	}
	s.sinceL1 = 0
	s.point(PointL1Written)
	return nil
}

// switchGeneration takes a level-2 checkpoint of the current state and
// moves the store to generation gen+1: CKPT-(gen+1) and an empty LOG-(gen+1)
// are made durable first, then the MANIFEST switch commits the move, and
// only then are the old generation's files (and obsolete, names in the
// store directory) removed. A cut anywhere leaves the old generation or
// the new one complete.
func (s *Store) switchGeneration(obsolete []string) error {
	gen := s.gen + 1
	ckpt := s.path(ckptName(gen))
	data := encodeCheckpoint(l2Magic, s.lay, checkpoint{gen: gen, seq: s.seq, tree: s.tree, pageLSN: s.pageLSN})
	if err := writeFileSynced(s.fs, ckpt+tmpSuffix, data, s.point,
		PointCkptWritten, PointCkptSynced); err != nil {
		return err
	}
	if err := s.fs.Rename(ckpt+tmpSuffix, ckpt); err != nil {
		return ioErr("rename", ckpt+tmpSuffix, err)
	}
	s.point(PointCkptRenamed)
	w, err := createSegment(s.fs, s.path(logName(gen)), gen, s.seq+1)
	if err != nil {
		return err
	}
	s.point(PointSegmentCreated)
	if err := syncDir(s.fs, s.dir); err != nil {
		w.f.Close()
		return err
	}
	s.point(PointDirSynced)
	if err := writeManifest(s.fs, s.dir, manifest{gen: gen, ckptSeq: s.seq, lay: s.lay}, s.point); err != nil {
		w.f.Close()
		return err
	}
	old := s.log
	s.log, s.gen = w, gen
	s.haveLast, s.sinceL1, s.sinceL2 = false, 0, 0
	if old != nil {
		if err := old.close(); err != nil {
			return err
		}
	}
	doomed := append([]string{logName(gen - 1), ckptName(gen - 1), l1Name}, obsolete...)
	for _, name := range doomed {
		if name == logName(gen) || name == ckptName(gen) || name == manifestName {
			continue
		}
		if err := removeIfExists(s.fs, s.path(name)); err != nil {
			return err
		}
	}
	s.point(PointObsoleteRemoved)
	return nil
}

// PageExtent finds page p's bytes in a checkpoint file's contents, from its
// page table: what a fault injector aims at to damage exactly one page. It
// fails if the header is unreadable or p is not in it.
func PageExtent(data []byte, p int) (off, n int64, ok bool) {
	if len(data) < ckptFixedSize || p < 0 {
		return 0, 0, false
	}
	pages := int(binary.LittleEndian.Uint32(data[36:]))
	head := ckptFixedSize + pages*pageEntrySize + 4
	if p >= pages || len(data) < head || binary.LittleEndian.Uint32(data[head-4:]) != checksum(data[:head-4]) {
		return 0, 0, false
	}
	e := data[ckptFixedSize+p*pageEntrySize:]
	return int64(binary.LittleEndian.Uint64(e)), int64(binary.LittleEndian.Uint64(e[8:])), true
}
