package faultfs

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestFileDataMatchesSimpleModel checks the durability log, with its folding
// and its stable image shared with the page cache, against the obvious
// model: a page cache plus a full copy taken at every sync. Reads must match
// the page cache; an honest power loss must leave the copy; a crash must
// change nothing.
func TestFileDataMatchesSimpleModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		d := newDisk(rt, 1, Options{LyingWindow: rapid.IntRange(1, 5).Draw(rt, "window")})
		writeFile(rt, d, "f", nil, true)
		syncDir(rt, d, "/")
		cache, synced := []byte{}, []byte{}
		f, err := d.OpenReadWrite("f", vfs.WriteCategoryUnspecified)
		require.NoError(rt, err)
		for range rapid.IntRange(1, 80).Draw(rt, "steps") {
			switch rapid.IntRange(0, 9).Draw(rt, "op") {
			case 0, 1, 2, 3:
				// Mostly appends, sometimes overwrites or writes past the end.
				off := int64(len(cache)) + int64(rapid.IntRange(-600, 100).Draw(rt, "delta"))
				off = max(off, 0)
				p := make([]byte, rapid.IntRange(1, 700).Draw(rt, "len"))
				for i := range p {
					p[i] = byte(rapid.IntRange(1, 255).Draw(rt, "byte"))
				}
				_, err := f.WriteAt(p, off)
				require.NoError(rt, err)
				cache = applyAt(cache, off, p)
			case 4, 5, 6:
				require.NoError(rt, f.Sync())
				synced = append(synced[:0], cache...)
			case 7:
				d.Crash()
				f, err = d.OpenReadWrite("f", vfs.WriteCategoryUnspecified)
				require.NoError(rt, err)
			case 8:
				d.PowerLoss(Honest)
				cache = append(cache[:0], synced...)
				f, err = d.OpenReadWrite("f", vfs.WriteCategoryUnspecified)
				require.NoError(rt, err)
			case 9:
				require.Equal(rt, int64(len(synced)), d.lookupFile(rt, "f").data.durableSize())
			}
			require.Equal(rt, cache, readFile(rt, d, "f"))
		}
		d.PowerLoss(Honest)
		require.Equal(rt, synced, readFile(rt, d, "f"))
	})
}

func (d *disk) lookupFile(t tb, name string) *inode {
	n, err := d.lookup(clean(name))
	require.NoError(t, err)
	return n
}
