package faultfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/internal/rng"
)

// tb is what the helpers need of *testing.T, *testing.B and *rapid.T.
type tb interface {
	require.TestingT
	Helper()
}

// disk is a faultfs under test with its faults recorded.
type disk struct {
	*FS
	faults []Fault
}

func newDisk(t tb, seed uint64, opts Options) *disk {
	t.Helper()
	d := &disk{}
	opts.Rand = rng.New(seed, "disk")
	onFault := opts.OnFault
	opts.OnFault = func(f Fault) {
		d.faults = append(d.faults, f)
		if onFault != nil {
			onFault(f)
		}
	}
	d.FS = New(opts)
	return d
}

// faultsOf returns the recorded faults of one kind.
func (d *disk) faultsOf(kind string) []Fault {
	var out []Fault
	for _, f := range d.faults {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// writeFile creates name with data and, if sync, syncs it (not its
// directory).
func writeFile(t tb, fs vfs.FS, name string, data []byte, sync bool) {
	t.Helper()
	f, err := fs.Create(name, vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, err)
	if sync {
		require.NoError(t, f.Sync())
	}
	require.NoError(t, f.Close())
}

// appendFile appends data to an existing file, syncing it if asked.
func appendFile(t tb, fs vfs.FS, name string, data []byte, sync bool) {
	t.Helper()
	st, err := fs.Stat(name)
	require.NoError(t, err)
	f, err := fs.OpenReadWrite(name, vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.WriteAt(data, st.Size())
	require.NoError(t, err)
	if sync {
		require.NoError(t, f.Sync())
	}
	require.NoError(t, f.Close())
}

func syncDir(t tb, fs vfs.FS, name string) {
	t.Helper()
	d, err := fs.OpenDir(name)
	require.NoError(t, err)
	require.NoError(t, d.Sync())
	require.NoError(t, d.Close())
}

func readFile(t tb, fs vfs.FS, name string) []byte {
	t.Helper()
	f, err := fs.Open(name)
	require.NoError(t, err)
	defer f.Close()
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	return data
}

func exists(fs vfs.FS, name string) bool {
	_, err := fs.Stat(name)
	return err == nil
}

// fill returns n bytes of value b.
func fill(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

// digest hashes every path and file content of the tree, in sorted order,
// through the public vfs interface.
func digest(t tb, fs vfs.FS) string {
	t.Helper()
	h := sha256.New()
	var walk func(dir string)
	walk = func(dir string) {
		names, err := fs.List(dir)
		require.NoError(t, err)
		slices.Sort(names) // MemFS lists in map order
		for _, name := range names {
			p := fs.PathJoin(dir, name)
			st, err := fs.Stat(p)
			require.NoError(t, err)
			if st.IsDir() {
				fmt.Fprintf(h, "d %s\n", p)
				walk(p)
				continue
			}
			data := readFile(t, fs, p)
			fmt.Fprintf(h, "f %s %d\n", p, len(data))
			h.Write(data)
		}
	}
	walk("/")
	return hex.EncodeToString(h.Sum(nil))
}
