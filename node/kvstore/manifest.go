package kvstore

import (
	"bytes"
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// MANIFEST format, replaced atomically (MANIFEST.tmp, sync, rename, sync dir):
//
//	magic[4] "KVMF" | version u32 | generation u64 | ckptSeq u64 | crc u32
//
// Generation N names CKPT-N (the state at ckptSeq) and LOG-N (the records
// from ckptSeq+1 on). Generation 0 is a new store: empty state, no files.
const manifestSize = 28

var manifestMagic = []byte("KVMF")

type manifest struct {
	gen     uint64
	ckptSeq uint64
}

func encodeManifest(m manifest) []byte {
	b := make([]byte, manifestSize)
	copy(b, manifestMagic)
	binary.LittleEndian.PutUint32(b[4:], formatVersion)
	binary.LittleEndian.PutUint64(b[8:], m.gen)
	binary.LittleEndian.PutUint64(b[16:], m.ckptSeq)
	binary.LittleEndian.PutUint32(b[24:], checksum(b[:24]))
	return b
}

func decodeManifest(path string, b []byte) (manifest, error) {
	switch {
	case len(b) != manifestSize:
		return manifest{}, corruptf(path, 0, "manifest is %d bytes, want %d", len(b), manifestSize)
	case !bytes.Equal(b[:4], manifestMagic):
		return manifest{}, corruptf(path, 0, "bad manifest magic")
	case binary.LittleEndian.Uint32(b[24:]) != checksum(b[:24]):
		return manifest{}, corruptf(path, 24, "manifest checksum mismatch")
	case binary.LittleEndian.Uint32(b[4:]) != formatVersion:
		return manifest{}, corruptf(path, 4, "unknown format version %d", binary.LittleEndian.Uint32(b[4:]))
	}
	m := manifest{gen: binary.LittleEndian.Uint64(b[8:]), ckptSeq: binary.LittleEndian.Uint64(b[16:])}
	if m.gen == 0 && m.ckptSeq != 0 {
		return manifest{}, corruptf(path, 16, "new-store manifest with seq %d", m.ckptSeq)
	}
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
