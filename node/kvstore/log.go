package kvstore

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Record format (all integers little-endian). A record is written as two
// separate Write calls, so that the trailer can prove the entry complete:
//
//	entry:   magic[4] "\x8fKVE" | length u32 | seq u64 | lsn u64 | crc u32 | payload[length]
//	         crc = CRC32C(magic, length, seq, lsn, payload)
//	trailer: seq u64 | entryCRC u32 | crc u32 | magic[4] "KVT\xa5"
//	         crc = CRC32C(seq, entryCRC)
//
// The trailer ends in a constant byte with four bits set: one flipped bit
// can never turn the last byte of a complete record into zero, which a
// reader would take for an unwritten (torn) tail.
//
// A segment starts with a header, synced before the MANIFEST names it:
//
//	magic[4] "KVLG" | version u32 | generation u64 | baseSeq u64 | crc u32
const (
	entryHeaderSize   = 28
	trailerSize       = 20
	segmentHeaderSize = 28
	formatVersion     = 2

	// maxPayload bounds a record's payload; a larger length field is damage.
	maxPayload = 1 << 30
)

var (
	entryMagic   = []byte("\x8fKVE")
	trailerMagic = []byte("KVT\xa5")
	segmentMagic = []byte("KVLG")

	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

func checksum(b ...[]byte) uint32 {
	var c uint32
	for _, p := range b {
		c = crc32.Update(c, castagnoli, p)
	}
	return c
}

func encodeSegmentHeader(gen, baseSeq uint64) []byte {
	h := make([]byte, segmentHeaderSize)
	copy(h, segmentMagic)
	binary.LittleEndian.PutUint32(h[4:], formatVersion)
	binary.LittleEndian.PutUint64(h[8:], gen)
	binary.LittleEndian.PutUint64(h[16:], baseSeq)
	binary.LittleEndian.PutUint32(h[24:], checksum(h[:24]))
	return h
}

// appendEntry appends the entry for (seq, lsn, payload) to dst and returns
// it with the entry's CRC.
func appendEntry(dst []byte, seq, lsn uint64, payload []byte) ([]byte, uint32) {
	start := len(dst)
	dst = append(dst, entryMagic...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.LittleEndian.AppendUint64(dst, seq)
	dst = binary.LittleEndian.AppendUint64(dst, lsn)
	crc := checksum(dst[start:], payload)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return append(dst, payload...), crc
}

func appendTrailer(dst []byte, seq uint64, entryCRC uint32) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint64(dst, seq)
	dst = binary.LittleEndian.AppendUint32(dst, entryCRC)
	dst = binary.LittleEndian.AppendUint32(dst, checksum(dst[start:]))
	return append(dst, trailerMagic...)
}

// recordRef locates one complete record: what an L1 checkpoint anchors on.
type recordRef struct {
	off int64 // offset of the entry in its segment
	seq uint64
	crc uint32 // the entry's CRC
}

// logWriter appends records to the live segment.
type logWriter struct {
	f       vfs.File
	path    string
	off     int64  // segment size so far
	scratch []byte // reused: bytes handed to Write are never read back
}

// createSegment creates, fills in the header of, and syncs a new segment.
// The caller syncs the directory before anything refers to it.
func createSegment(fs vfs.FS, path string, gen, baseSeq uint64) (*logWriter, error) {
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, ioErr("create", path, err)
	}
	w := &logWriter{f: f, path: path}
	if err := w.write(encodeSegmentHeader(gen, baseSeq)); err != nil {
		f.Close()
		return nil, err
	}
	if err := w.sync(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func (w *logWriter) write(b []byte) error {
	if _, err := w.f.Write(b); err != nil {
		return ioErr("write", w.path, err)
	}
	w.off += int64(len(b))
	return nil
}

func (w *logWriter) sync() error {
	return ioErr("sync", w.path, w.f.Sync())
}

// append writes one record as two writes, entry then trailer, calling
// point between them so a simulation can cut power with the entry alone
// on disk. It does not sync.
func (w *logWriter) append(seq, lsn uint64, payload []byte, point func(Point)) (recordRef, error) {
	ref := recordRef{off: w.off, seq: seq}
	buf, crc := appendEntry(w.scratch[:0], seq, lsn, payload)
	n := len(buf)
	buf = appendTrailer(buf, seq, crc)
	w.scratch = buf
	ref.crc = crc
	if err := w.write(buf[:n]); err != nil {
		return ref, err
	}
	point(PointLogEntryWritten)
	if err := w.write(buf[n:]); err != nil {
		return ref, err
	}
	return ref, nil
}

func (w *logWriter) close() error {
	return ioErr("close", w.path, w.f.Close())
}

// logRecord is one complete record found by scanSegment.
type logRecord struct {
	recordRef
	lsn     uint64 // the batch's stamp
	payload []byte // aliases the segment's bytes
}

// segmentScan is what a segment holds.
type segmentScan struct {
	records    []logRecord
	tornOffset int64 // where a discarded torn tail starts; -1 if none
	tornBytes  int64
}

// scanSegment parses a whole segment. It returns every complete record in
// order, discards a torn tail, and reports anything else as corruption.
// See doc.go for the rules.
func scanSegment(path string, data []byte, gen, baseSeq uint64) (segmentScan, error) {
	scan := segmentScan{tornOffset: -1}
	if err := checkSegmentHeader(path, data, gen, baseSeq); err != nil {
		return scan, err
	}
	want := baseSeq
	off := int64(segmentHeaderSize)
	for off < int64(len(data)) {
		rest := data[off:]
		payload, lsn, crc, ok := parseEntry(rest)
		if !ok {
			return scan, classifyBadEntry(path, data, off, want, &scan)
		}
		seq := binary.LittleEndian.Uint64(rest[8:])
		if seq != want {
			return scan, corruptf(path, off, "sequence gap: record %d where %d was due", seq, want)
		}
		tOff := off + entryHeaderSize + int64(len(payload))
		expected := appendTrailer(nil, seq, crc)
		got := data[tOff:min(tOff+trailerSize, int64(len(data)))]
		if !bytes.Equal(got, expected) {
			return scan, classifyBadTrailer(path, data, off, tOff, expected, &scan)
		}
		scan.records = append(scan.records, logRecord{
			recordRef: recordRef{off: off, seq: seq, crc: crc},
			lsn:       lsn,
			payload:   payload,
		})
		off = tOff + trailerSize
		want++
	}
	return scan, nil
}

func checkSegmentHeader(path string, data []byte, gen, baseSeq uint64) error {
	if len(data) < segmentHeaderSize {
		return corruptf(path, 0, "segment header is %d bytes, want %d", len(data), segmentHeaderSize)
	}
	h := data[:segmentHeaderSize]
	switch {
	case !bytes.Equal(h[:4], segmentMagic):
		return corruptf(path, 0, "bad segment magic")
	case binary.LittleEndian.Uint32(h[24:]) != checksum(h[:24]):
		return corruptf(path, 0, "segment header checksum mismatch")
	case binary.LittleEndian.Uint32(h[4:]) != formatVersion:
		return corruptf(path, 4, "unknown format version %d", binary.LittleEndian.Uint32(h[4:]))
	case binary.LittleEndian.Uint64(h[8:]) != gen:
		return corruptf(path, 8, "segment of generation %d, want %d", binary.LittleEndian.Uint64(h[8:]), gen)
	case binary.LittleEndian.Uint64(h[16:]) != baseSeq:
		return corruptf(path, 16, "segment starts at seq %d, want %d", binary.LittleEndian.Uint64(h[16:]), baseSeq)
	}
	return nil
}

// parseEntry checks the entry at the start of b: magic, a length that fits
// in b, and the CRC.
func parseEntry(b []byte) (payload []byte, lsn uint64, crc uint32, ok bool) {
	if len(b) < entryHeaderSize || !bytes.Equal(b[:4], entryMagic) {
		return nil, 0, 0, false
	}
	n := binary.LittleEndian.Uint32(b[4:])
	if n > maxPayload || int64(n) > int64(len(b)-entryHeaderSize) {
		return nil, 0, 0, false
	}
	payload = b[entryHeaderSize : entryHeaderSize+int(n)]
	crc = binary.LittleEndian.Uint32(b[24:])
	if checksum(b[:24], payload) != crc {
		return nil, 0, 0, false
	}
	return payload, binary.LittleEndian.Uint64(b[16:]), crc, true
}

// validTrailer reports whether b starts with a trailer whose own CRC holds.
func validTrailer(b []byte) bool {
	return len(b) >= trailerSize && bytes.Equal(b[16:20], trailerMagic) &&
		binary.LittleEndian.Uint32(b[12:]) == checksum(b[:12])
}
