package kvstore

import (
	"bytes"
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/google/btree"
)

// Checkpoint format, shared by CKPT-<gen> (level 2, synced) and L1
// (level 1, never synced):
//
//	magic[4] ("KVCK" or "KVL1") | version u32 | generation u64 | seq u64 |
//	count u64 | anchorOff u64 | anchorCRC u32 |
//	count x (uvarint keyLen | key | uvarint valueLen | value), keys ascending |
//	crc u32 = CRC32C(everything before it)
//
// The anchor (L1 only) is the offset in LOG-<gen> and the entry CRC of the
// record with sequence seq, the last one the checkpoint includes.
const ckptHeaderSize = 44

var (
	l2Magic = []byte("KVCK")
	l1Magic = []byte("KVL1")
)

// checkpoint is a decoded state.
type checkpoint struct {
	gen    uint64
	seq    uint64
	anchor recordRef // L1 only
	tree   *btree.BTreeG[item]
}

func encodeCheckpoint(magic []byte, c checkpoint) []byte {
	size := ckptHeaderSize + 4
	c.tree.Ascend(func(it item) bool {
		size += 2*binary.MaxVarintLen32 + len(it.key) + len(it.value)
		return true
	})
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = binary.LittleEndian.AppendUint64(b, c.gen)
	b = binary.LittleEndian.AppendUint64(b, c.seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(c.tree.Len()))
	b = binary.LittleEndian.AppendUint64(b, uint64(c.anchor.off))
	b = binary.LittleEndian.AppendUint32(b, c.anchor.crc)
	c.tree.Ascend(func(it item) bool {
		b = appendString(b, it.key)
		b = binary.AppendUvarint(b, uint64(len(it.value)))
		b = append(b, it.value...)
		return true
	})
	return binary.LittleEndian.AppendUint32(b, checksum(b))
}

// decodeCheckpoint checks and decodes a checkpoint file. Every defect is a
// *CorruptionError; whether that matters is the caller's call (it does for
// level 2, never for level 1).
func decodeCheckpoint(path string, magic, b []byte) (checkpoint, error) {
	var c checkpoint
	switch {
	case len(b) < ckptHeaderSize+4:
		return c, corruptf(path, 0, "checkpoint is %d bytes, too short", len(b))
	case !bytes.Equal(b[:4], magic):
		return c, corruptf(path, 0, "bad checkpoint magic")
	case binary.LittleEndian.Uint32(b[len(b)-4:]) != checksum(b[:len(b)-4]):
		return c, corruptf(path, int64(len(b)-4), "checkpoint checksum mismatch")
	case binary.LittleEndian.Uint32(b[4:]) != formatVersion:
		return c, corruptf(path, 4, "unknown format version %d", binary.LittleEndian.Uint32(b[4:]))
	}
	c.gen = binary.LittleEndian.Uint64(b[8:])
	c.seq = binary.LittleEndian.Uint64(b[16:])
	count := binary.LittleEndian.Uint64(b[24:])
	c.anchor = recordRef{
		off: int64(binary.LittleEndian.Uint64(b[32:])),
		seq: c.seq,
		crc: binary.LittleEndian.Uint32(b[40:]),
	}
	c.tree = newTree()
	body := b[ckptHeaderSize : len(b)-4]
	prev := ""
	for i := uint64(0); i < count; i++ {
		key, rest, ok := cutBytes(body)
		if !ok {
			return c, corruptf(path, int64(len(b)-len(body)), "truncated key %d of %d", i, count)
		}
		value, rest, ok := cutBytes(rest)
		if !ok {
			return c, corruptf(path, int64(len(b)-len(rest)), "truncated value %d of %d", i, count)
		}
		if i > 0 && string(key) <= prev {
			return c, corruptf(path, int64(len(b)-len(body)), "keys out of order")
		}
		prev = string(key)
		c.tree.ReplaceOrInsert(item{key: prev, value: append([]byte{}, value...)})
		body = rest
	}
	if len(body) != 0 {
		return c, corruptf(path, int64(len(b)-4-len(body)), "%d bytes after the last pair", len(body))
	}
	return c, nil
}

// writeL1 writes the level-1 checkpoint, anchored on the last record. It is
// not synced: it only ever helps after a process crash, when the log it is
// anchored in is still there.
func (s *Store) writeL1() error {
	path := s.path(l1Name)
	data := encodeCheckpoint(l1Magic, checkpoint{gen: s.gen, seq: s.seq, anchor: s.last, tree: s.tree})
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
	data := encodeCheckpoint(l2Magic, checkpoint{gen: gen, seq: s.seq, tree: s.tree})
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
	if err := writeManifest(s.fs, s.dir, manifest{gen: gen, ckptSeq: s.seq}, s.point); err != nil {
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
