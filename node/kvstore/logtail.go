package kvstore

import (
	"bytes"
	"encoding/binary"
)

// Telling a torn tail from corruption.
//
// A crash or power loss keeps, per file, a prefix of the unsynced writes;
// the last kept write may be cut short, and its cut-off part may read as
// zeros (the size was extended but the data never written). So the damaged
// end of a segment is a torn tail only if it is exactly "the beginning of
// the next record, then zeros or nothing", and the segment ends where a
// tear can end it: at a sector boundary (the cut), or at the end of the
// write that was cut (its size reached the disk, its data did not).
// Anything else (a valid entry or trailer further on, a header that names
// the wrong sequence, non-zero bytes past where the damaged entry should
// end, a trailer that differs from the one its entry implies, an end in
// mid-sector and mid-write) was written once and damaged since: corruption.

// sectorSize is the unit at which a write can tear.
const sectorSize = 512

// classifyBadEntry decides about a record at off whose entry does not parse.
func classifyBadEntry(path string, data []byte, off int64, want uint64, scan *segmentScan) error {
	rest := data[off:]
	nz := int64(nonZeroLen(rest))
	if at, ok := findValidRecordPart(data, off, off+nz); ok {
		return corruptf(path, off, "bad record followed by a valid record part at offset %d", at)
	}
	// The header bytes that are present must be those a record with the
	// expected sequence would have: magic and seq are known in advance.
	var tmpl [entryHeaderSize]byte
	copy(tmpl[:], rest)
	copy(tmpl[:4], entryMagic)
	binary.LittleEndian.PutUint64(tmpl[8:], want)
	if h := min(nz, entryHeaderSize); !bytes.Equal(rest[:h], tmpl[:h]) {
		return corruptf(path, off, "damaged record header (record %d due)", want)
	}
	if nz >= 8 {
		extent := entryHeaderSize + int64(binary.LittleEndian.Uint32(rest[4:]))
		if nz > extent {
			return corruptf(path, off, "record %d fails its checksum but data follows it", want)
		}
		if size := int64(len(data)); size%sectorSize != 0 && size != off+extent {
			return corruptf(path, off, "record %d is cut at %d, neither a sector boundary nor its end", want, size)
		}
	}
	scan.tornOffset = off
	scan.tornBytes = int64(len(rest))
	return nil
}

// classifyBadTrailer decides about a complete entry at off whose trailer at
// tOff is missing, short or different from expected.
func classifyBadTrailer(path string, data []byte, off, tOff int64, expected []byte, scan *segmentScan) error {
	tail := data[tOff:]
	nz := nonZeroLen(tail)
	size := int64(len(data))
	tearEnd := size%sectorSize == 0 || size == tOff || size == tOff+trailerSize
	if tearEnd && nz <= trailerSize && bytes.Equal(tail[:nz], expected[:nz]) {
		scan.tornOffset = off
		scan.tornBytes = int64(len(data)) - off
		return nil
	}
	if validTrailer(tail) {
		return corruptf(path, tOff, "trailer does not match its entry")
	}
	return corruptf(path, tOff, "complete entry with a damaged trailer or data after it")
}

// findValidRecordPart looks in data[from+1:to] for an entry that parses or a
// trailer whose own CRC holds (starting at or after from).
func findValidRecordPart(data []byte, from, to int64) (int64, bool) {
	for y := from + 1; y < to; {
		i := bytes.Index(data[y:to], entryMagic)
		if i < 0 {
			break
		}
		if _, _, _, ok := parseEntry(data[y+int64(i):]); ok {
			return y + int64(i), true
		}
		y += int64(i) + 1
	}
	for y := from + 16; y < to; {
		i := bytes.Index(data[y:to], trailerMagic)
		if i < 0 {
			break
		}
		start := y + int64(i) - 16
		if validTrailer(data[start:]) {
			return start, true
		}
		y += int64(i) + 1
	}
	return 0, false
}

// nonZeroLen is the length of b without its trailing zero bytes.
func nonZeroLen(b []byte) int {
	n := len(b)
	for n > 0 && b[n-1] == 0 {
		n--
	}
	return n
}
