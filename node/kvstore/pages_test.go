package kvstore

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
)

// threePages divides keys into [.., "b"), ["b", "c"), ["c", ..).
var threePages = Options{L1Every: -1, PageBounds: []string{"b", "c"}, AllowDamagedPages: true}

func putLSN(t testing.TB, s *Store, lsn uint64, kv ...string) {
	t.Helper()
	var b Batch
	b.SetLSN(lsn)
	for i := 0; i+1 < len(kv); i += 2 {
		b.Put(kv[i], []byte(kv[i+1]))
	}
	require.NoError(t, s.Apply(&b, true))
}

func lsns(s *Store) []uint64 {
	var out []uint64
	for _, p := range s.Pages() {
		out = append(out, p.LSN)
	}
	return out
}

// damagePage flips a bit in the middle of page p of the live checkpoint.
func damagePage(t *testing.T, fs vfs.FS, p int) {
	t.Helper()
	path := storeFile(t, fs, ckptPrefix)
	data := readAll(t, fs, path)
	off, n, ok := PageExtent(data, p)
	require.True(t, ok)
	require.Positive(t, n, "page %d is empty", p)
	data[off+n/2] ^= 0x04
	rewrite(t, fs, path, data)
}

func TestLayoutMapsKeysAndPrefixesToPages(t *testing.T) {
	l, err := newLayout([]string{"b", "c", "kv/", "kv/k5", "mon/"})
	require.NoError(t, err)
	require.Equal(t, 6, l.pages())
	for key, want := range map[string]int{"": 0, "a": 0, "b": 1, "bz": 1, "c": 2, "kv": 2, "kv/": 3, "kv/k4": 3, "kv/k5": 4, "mon/": 5, "z": 5} {
		require.Equal(t, want, l.pageOf(key), key)
	}
	require.Equal(t, []int{3, 4}, l.prefixPages("kv/"))
	require.Equal(t, []int{4}, l.prefixPages("kv/k5"))
	require.Equal(t, []int{0, 1, 2, 3, 4, 5}, l.prefixPages(""))
	require.Equal(t, []int{1}, l.prefixPages("b"))
	_, err = newLayout([]string{"b", "b"})
	require.Error(t, err)
	_, err = newLayout([]string{""})
	require.Error(t, err)
}

func TestAStoreKeepsThePageBoundsItWasCreatedWith(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, threePages)
	putLSN(t, s, 1, "a", "1", "bb", "2", "cc", "3")
	require.NoError(t, s.Close())
	other := threePages
	other.PageBounds = []string{"x"}
	s = openT(t, fs, other)
	require.Len(t, s.Pages(), 3)
	require.Equal(t, "b", s.Pages()[1].Lo)
	require.Equal(t, []uint64{1, 1, 1}, lsns(s))
	require.Equal(t, 2, s.PageOf("cz"))
}

func TestDamageInsideAPageIsThatPageNotACorruptStore(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, threePages)
	putLSN(t, s, 1, "a", "1", "bb", "2", "cc", "3")
	putLSN(t, s, 2, "bb", "22")
	require.NoError(t, s.Close())
	s = openT(t, fs, threePages) // the state now lives in the checkpoint
	require.NoError(t, s.Close())
	damagePage(t, fs, 1)

	s = openT(t, fs, threePages)
	require.Equal(t, []int{1}, s.Damaged())
	require.Equal(t, []int{1}, s.Info().Damaged)
	require.Equal(t, map[string]string{"a": "1", "cc": "3"}, contents(s), "the intact pages, and nothing of the damaged one")
	var b Batch
	b.Put("a", []byte("x"))
	require.ErrorIs(t, s.Apply(&b, true), ErrDamaged)
	_, _, err := s.ExportPage(1)
	require.ErrorIs(t, err, ErrDamaged)
	require.NoError(t, s.Close())

	// Without AllowDamagedPages the same damage is corruption, named by page.
	strict := threePages
	strict.AllowDamagedPages = false
	_, err = Open(fs, testDir, strict)
	ce := requireCorrupt(t, err, ckptPrefix)
	require.Contains(t, ce.Reason, "page 1")
}

func TestDamageToThePageTableIsCorruption(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, threePages)
	putLSN(t, s, 1, "a", "1", "bb", "2", "cc", "3")
	require.NoError(t, s.Close())
	s = openT(t, fs, threePages)
	require.NoError(t, s.Close())
	path := storeFile(t, fs, ckptPrefix)
	data := readAll(t, fs, path)
	first, _, ok := PageExtent(data, 0)
	require.True(t, ok)
	for i := range first {
		damaged := append([]byte(nil), data...)
		damaged[i] ^= 0x10
		rewrite(t, fs, path, damaged)
		_, err := Open(fs, testDir, threePages)
		requireCorrupt(t, err, ckptPrefix)
	}
}

func TestATruncatedCheckpointDamagesThePagesItCutOff(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, threePages)
	putLSN(t, s, 1, "a", "1", "bb", "2", "cc", "3")
	require.NoError(t, s.Close())
	s = openT(t, fs, threePages) // the state now lives in the checkpoint
	require.NoError(t, s.Close())
	path := storeFile(t, fs, ckptPrefix)
	data := readAll(t, fs, path)
	off, _, _ := PageExtent(data, 1)
	rewrite(t, fs, path, data[:off+1])
	s = openT(t, fs, threePages)
	require.Equal(t, []int{1, 2}, s.Damaged())
	require.Equal(t, map[string]string{"a": "1"}, contents(s))
}

func TestInstalledPagesAreDurableAndTheStoreWritableAgain(t *testing.T) {
	fs := vfs.NewCrashableMem()
	s := openT(t, fs, threePages)
	putLSN(t, s, 1, "a", "1", "bb", "2", "cc", "3")
	require.NoError(t, s.Close())
	s = openT(t, fs, threePages)
	require.NoError(t, s.Close())
	damagePage(t, fs, 1)
	s = openT(t, fs, threePages)

	require.Error(t, s.InstallPages(nil), "every damaged page needs an image")
	s = openT(t, fs, threePages)
	require.Error(t, s.InstallPages([]PageImage{{Page: 1, LSN: 5, Pairs: []Pair{{Key: "cz"}}}}), "a key outside the page")
	s = openT(t, fs, threePages)
	require.NoError(t, s.InstallPages([]PageImage{{Page: 1, LSN: 5, Pairs: []Pair{{"b1", []byte("x")}, {"bb", []byte("y")}}}}))
	require.Empty(t, s.Damaged())
	require.Equal(t, []uint64{1, 5, 1}, lsns(s))
	putLSN(t, s, 6, "a", "6")

	after := fs.CrashClone(vfs.CrashCloneCfg{}) // exactly what was synced
	s = openT(t, after, threePages)
	require.Equal(t, map[string]string{"a": "6", "b1": "x", "bb": "y", "cc": "3"}, contents(s))
	require.Equal(t, []uint64{6, 5, 1}, lsns(s))
	left, err := s.Leftovers()
	require.NoError(t, err)
	require.Empty(t, left)
}

// A batch is applied to a page only if its LSN is above the page's, and an
// unstamped batch resets the pages it changes to LSN 0.
func TestTheRedoRuleHoldsLive(t *testing.T) {
	s := openT(t, vfs.NewMem(), threePages)
	putLSN(t, s, 7, "bb", "seven")
	putLSN(t, s, 5, "a", "five", "bb", "five")
	require.Equal(t, map[string]string{"a": "five", "bb": "seven"}, contents(s), "page 1 already holds version 7")
	require.Equal(t, []uint64{5, 7, 0}, lsns(s))
	var b Batch
	b.DeletePrefix("")
	require.NoError(t, s.Apply(&b, true))
	require.Equal(t, []uint64{0, 0, 0}, lsns(s))
	putLSN(t, s, 3, "bb", "three")
	require.Equal(t, map[string]string{"bb": "three"}, contents(s))
}

// A page installed at a newer LSN than records still in the log keeps its
// contents through a recovery's redo; with the planted bug it goes back.
func TestRecoveryDoesNotRedoRecordsOntoANewerPage(t *testing.T) {
	for _, bug := range []bool{false, true} {
		fs := vfs.NewCrashableMem()
		s := openT(t, fs, threePages)
		putLSN(t, s, 1, "a", "1", "bb", "1", "cc", "1")
		require.NoError(t, s.Close())
		s = openT(t, fs, threePages)
		require.NoError(t, s.Close())
		damagePage(t, fs, 1)
		s = openT(t, fs, threePages)
		// The page comes back at version 4, where bb was last written at 3.
		require.NoError(t, s.InstallPages([]PageImage{{Page: 1, LSN: 4, Pairs: []Pair{{"bb", []byte("3")}}}}))
		// The catch-up applies version 2 to the other pages; power is cut
		// before version 3 (which wrote bb) and 4.
		putLSN(t, s, 2, "a", "2", "bb", "2")
		require.Equal(t, "3", get(t, s, "bb"))

		opts := threePages
		opts.IgnorePageLSNOnRedo = bug
		s = openT(t, fs.CrashClone(vfs.CrashCloneCfg{}), opts)
		if bug {
			require.Equal(t, "2", get(t, s, "bb"), "the planted bug redoes version 2 over the page")
			continue
		}
		require.Equal(t, "3", get(t, s, "bb"))
		require.Equal(t, 1, s.Info().RedoSkipped)
		require.Equal(t, []uint64{2, 4, 1}, lsns(s))
	}
}

func TestExportPageIsThePageAndItsLSN(t *testing.T) {
	s := openT(t, vfs.NewMem(), threePages)
	putLSN(t, s, 4, "a", "1", "b", "2", "bz", "3", "c", "4")
	pairs, lsn, err := s.ExportPage(1)
	require.NoError(t, err)
	require.Equal(t, uint64(4), lsn)
	require.Equal(t, []Pair{{"b", []byte("2")}, {"bz", []byte("3")}}, pairs)
}

func get(t testing.TB, s *Store, key string) string {
	t.Helper()
	v, ok := s.Get(key)
	require.True(t, ok, key)
	return string(v)
}
