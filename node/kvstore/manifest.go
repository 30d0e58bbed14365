package kvstore

import (
	"bytes"
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// MANIFEST format, replaced atomically (MANIFEST.tmp, sync, rename, sync dir):
//
//	magic[4] "KVMF" | version u32 | generation u64 | ckptSeq u64 |
//	bounds u32 | bounds x (len u32 | key) | crc u32
//
// Generation N names CKPT-N (the state at ckptSeq) and LOG-N (the records
// from ckptSeq+1 on). Generation 0 is a new store: empty state, no files.
// The bounds are the store's page layout, fixed when it was created.
const manifestMinSize = 32

var manifestMagic = []byte("KVMF")

type manifest struct {
	gen     uint64
	ckptSeq uint64
	lay     layout
}

func encodeManifest(m manifest) []byte {
	b := make([]byte, 0, manifestMinSize+8*len(m.lay.bounds))
	b = append(b, manifestMagic...)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = binary.LittleEndian.AppendUint64(b, m.gen)
	b = binary.LittleEndian.AppendUint64(b, m.ckptSeq)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.lay.bounds)))
	for _, k := range m.lay.bounds {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(k)))
		b = append(b, k...)
	}
	return binary.LittleEndian.AppendUint32(b, checksum(b))
}

func decodeManifest(path string, b []byte) (manifest, error) {
	switch {
	case len(b) < manifestMinSize:
		return manifest{}, corruptf(path, 0, "manifest is %d bytes, at least %d expected", len(b), manifestMinSize)
	case !bytes.Equal(b[:4], manifestMagic):
		return manifest{}, corruptf(path, 0, "bad manifest magic")
	case binary.LittleEndian.Uint32(b[len(b)-4:]) != checksum(b[:len(b)-4]):
		return manifest{}, corruptf(path, int64(len(b)-4), "manifest checksum mismatch")
	case binary.LittleEndian.Uint32(b[4:]) != formatVersion:
		return manifest{}, corruptf(path, 4, "unknown format version %d", binary.LittleEndian.Uint32(b[4:]))
	}
	m := manifest{gen: binary.LittleEndian.Uint64(b[8:]), ckptSeq: binary.LittleEndian.Uint64(b[16:])}
	if m.gen == 0 && m.ckptSeq != 0 {
		return manifest{}, corruptf(path, 16, "new-store manifest with seq %d", m.ckptSeq)
	}
	rest := b[28 : len(b)-4]
	count := binary.LittleEndian.Uint32(b[24:])
	if uint64(count) > uint64(len(rest)/4) {
		return manifest{}, corruptf(path, 24, "%d page bounds in %d bytes", count, len(rest))
	}
	bounds := make([]string, count)
	for i := range bounds {
		if len(rest) < 4 || uint64(binary.LittleEndian.Uint32(rest)) > uint64(len(rest)-4) {
			return manifest{}, corruptf(path, int64(len(b)-4-len(rest)), "page bound %d of %d cut short", i, len(bounds))
		}
		n := binary.LittleEndian.Uint32(rest)
		bounds[i], rest = string(rest[4:4+n]), rest[4+n:]
	}
	if len(rest) != 0 {
		return manifest{}, corruptf(path, int64(len(b)-4-len(rest)), "%d bytes after the page bounds", len(rest))
	}
	lay, err := newLayout(bounds)
	if err != nil {
		return manifest{}, corruptf(path, 28, "%v", err)
	}
	m.lay = lay
	return m, nil
}

func readManifest(fs vfs.FS, dir string) (manifest, error) {
	path := fs.PathJoin(dir, manifestName)
	b, err := readFile(fs, path)
	if err != nil {
		return manifest{}, err
	}
	return decodeManifest(path, b)
}

// writeManifest switches the store to m: once it returns, m is durable.
func writeManifest(fs vfs.FS, dir string, m manifest, point func(Point)) error {
	tmp := fs.PathJoin(dir, manifestTmpName)
	path := fs.PathJoin(dir, manifestName)
	if err := writeFileSynced(fs, tmp, encodeManifest(m), point,
		PointManifestWritten, PointManifestSynced); err != nil {
		return err
	}
	if err := fs.Rename(tmp, path); err != nil {
		return ioErr("rename", tmp, err)
	}
	point(PointManifestRenamed)
	if err := syncDir(fs, dir); err != nil {
		return err
	}
	point(PointManifestDirSynced)
	return nil
}
