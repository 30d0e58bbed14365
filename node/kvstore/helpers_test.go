package kvstore

import (
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
)

const testDir = "mon-0/store"

func openT(t testing.TB, fs vfs.FS, opts Options) *Store {
	t.Helper()
	s, err := Open(fs, testDir, opts)
	require.NoError(t, err)
	return s
}

// put applies one batch of key=value pairs given as alternating strings.
func put(t testing.TB, s *Store, sync bool, kv ...string) {
	t.Helper()
	var b Batch
	for i := 0; i+1 < len(kv); i += 2 {
		b.Put(kv[i], []byte(kv[i+1]))
	}
	require.NoError(t, s.Apply(&b, sync))
}

// contents is the whole state of a reader as key -> value.
func contents(r Reader) map[string]string {
	m := map[string]string{}
	r.Iterate("", func(k string, v []byte) bool {
		m[k] = string(v)
		return true
	})
	return m
}

// storeFile returns the single file in the store directory named with prefix.
func storeFile(t testing.TB, fs vfs.FS, prefix string) string {
	t.Helper()
	names, err := fs.List(testDir)
	require.NoError(t, err)
	sort.Strings(names)
	var found []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !strings.HasSuffix(n, tmpSuffix) {
			found = append(found, n)
		}
	}
	require.Len(t, found, 1, "files with prefix %q in %v", prefix, names)
	return fs.PathJoin(testDir, found[0])
}

func listStore(t testing.TB, fs vfs.FS) []string {
	t.Helper()
	names, err := fs.List(testDir)
	require.NoError(t, err)
	sort.Strings(names)
	return names
}

func readAll(t testing.TB, fs vfs.FS, path string) []byte {
	t.Helper()
	f, err := fs.Open(path)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	return b
}

// rewrite replaces the contents of path, as damage would.
func rewrite(t testing.TB, fs vfs.FS, path string, data []byte) {
	t.Helper()
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.Write(append([]byte(nil), data...))
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

// recordOffsets returns the offset of each complete record in a segment.
func recordOffsets(t testing.TB, data []byte) []int64 {
	t.Helper()
	var offs []int64
	off := int64(segmentHeaderSize)
	for off < int64(len(data)) {
		payload, _, _, ok := parseEntry(data[off:])
		require.True(t, ok, "record at %d", off)
		offs = append(offs, off)
		off += entryHeaderSize + int64(len(payload)) + trailerSize
	}
	return offs
}

// requireCorrupt checks err is a *CorruptionError about a file with the
// given name prefix.
func requireCorrupt(t testing.TB, err error, filePrefix string) *CorruptionError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, ErrCorrupt)
	var ce *CorruptionError
	require.ErrorAs(t, err, &ce)
	require.True(t, strings.HasPrefix(ce.File, testDir+"/"+filePrefix), "corruption in %s, want %s*", ce.File, filePrefix)
	return ce
}

// noL1 keeps L1 out of tests about the log and L2.
var noL1 = Options{L1Every: -1}
