package faultfs

import (
	"bytes"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
)

func TestHonestPowerLossKeepsExactlySyncedState(t *testing.T) {
	d := newDisk(t, 1, Options{})
	require.NoError(t, d.MkdirAll("db", 0o755))
	syncDir(t, d, "/")
	writeFile(t, d, "db/synced", []byte("durable"), true)
	writeFile(t, d, "db/unsynced", []byte("volatile"), false)
	syncDir(t, d, "db")
	appendFile(t, d, "db/synced", []byte("+tail"), false)
	writeFile(t, d, "db/new", []byte("synced but unnamed"), true)
	require.NoError(t, d.Remove("db/unsynced"))
	require.Equal(t, "durable+tail", string(readFile(t, d, "db/synced")))

	d.PowerLoss(Honest)

	require.Equal(t, "durable", string(readFile(t, d, "db/synced")), "unsynced append must be lost")
	require.Empty(t, readFile(t, d, "db/unsynced"), "entry durable, data never synced")
	require.False(t, exists(d, "db/new"), "entry never synced")
	names, err := d.List("db")
	require.NoError(t, err)
	require.Equal(t, []string{"synced", "unsynced"}, names, "the unsynced remove is undone")
	pl := d.faultsOf("power-loss")
	require.Len(t, pl, 1)
	require.Contains(t, pl[0].Detail, "mode=honest")
	require.Contains(t, pl[0].Detail, "unsynced-writes-lost=2")
}

func TestSyncedFileInUnsyncedDirectoryDisappears(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "f", []byte("synced data"), true)
	d.PowerLoss(Honest)
	require.False(t, exists(d, "f"))
}

func TestMkdirWithoutParentSyncIsLost(t *testing.T) {
	d := newDisk(t, 1, Options{})
	require.NoError(t, d.MkdirAll("a/b", 0o755))
	syncDir(t, d, "a")
	writeFile(t, d, "a/b/f", []byte("x"), true)
	syncDir(t, d, "a/b")
	d.PowerLoss(Honest)
	require.False(t, exists(d, "a"), "root was never synced")
}

func TestUnsyncedRenameIsUndone(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "tmp", []byte("new"), true)
	writeFile(t, d, "cur", []byte("old"), true)
	syncDir(t, d, "/")
	require.NoError(t, d.Rename("tmp", "cur"))
	require.Equal(t, "new", string(readFile(t, d, "cur")))

	d.PowerLoss(Honest)

	require.Equal(t, "old", string(readFile(t, d, "cur")))
	require.Equal(t, "new", string(readFile(t, d, "tmp")))
}

func TestSyncedRenameSurvives(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "tmp", []byte("new"), true)
	writeFile(t, d, "cur", []byte("old"), true)
	syncDir(t, d, "/")
	require.NoError(t, d.Rename("tmp", "cur"))
	syncDir(t, d, "/")
	d.PowerLoss(Honest)
	require.Equal(t, "new", string(readFile(t, d, "cur")))
	require.False(t, exists(d, "tmp"))
}

func TestHardLinkSharesDataAcrossPowerLoss(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "a", []byte("one"), false)
	require.NoError(t, d.Link("a", "b"))
	syncDir(t, d, "/")
	appendFile(t, d, "b", []byte("two"), true)
	d.PowerLoss(Honest)
	require.Equal(t, "onetwo", string(readFile(t, d, "a")))
	appendFile(t, d, "a", []byte("three"), false)
	require.Equal(t, "onetwothree", string(readFile(t, d, "b")))
}

// tornScenario syncs a 1000-byte file, then appends five unsynced
// 1500-byte writes of distinct bytes, and cuts power in torn mode.
func tornScenario(t *testing.T, seed uint64) (*disk, []byte) {
	d := newDisk(t, seed, Options{})
	writeFile(t, d, "log", fill('s', 1000), true)
	syncDir(t, d, "/")
	for i := range 5 {
		appendFile(t, d, "log", fill(byte('a'+i), 1500), false)
	}
	d.PowerLoss(Torn)
	return d, readFile(t, d, "log")
}

// checkTornPrefix asserts that got is the synced 1000 bytes, then whole
// unsynced writes in order, then at most a cut one: a torn tail, never a
// hole before good data. It returns how many writes were kept whole and
// where the cut one ends (-1 if none).
func checkTornPrefix(t *testing.T, got []byte) (whole int, cutAt int) {
	require.Equal(t, fill('s', 1000), got[:1000])
	off := 1000
	for i := range 5 {
		w := fill(byte('a'+i), 1500)
		rest := got[off:]
		if len(rest) >= 1500 && bytes.Equal(rest[:1500], w) {
			whole++
			off += 1500
			continue
		}
		// A partial write: its data up to a sector boundary, then either the
		// end of the file or zeros up to the write's end, then nothing.
		n := 0
		for n < len(rest) && rest[n] == byte('a'+i) {
			n++
		}
		if len(rest) == 0 {
			return whole, -1
		}
		require.Zero(t, (off+n)%sectorSize, "cut at a sector boundary")
		if n < len(rest) {
			require.Equal(t, make([]byte, 1500-n), rest[n:], "cut-off part reads as zeros, then nothing")
		}
		return whole, off + n
	}
	require.Len(t, got, off)
	return whole, -1
}

func TestTornPowerLossKeepsPrefixCutAtSector(t *testing.T) {
	var sawCut, sawZeros, sawShort, sawNone, sawAll bool
	for seed := uint64(0); seed < 200; seed++ {
		d, got := tornScenario(t, seed)
		whole, cutAt := checkTornPrefix(t, got)
		torn := d.faultsOf("torn-write")
		if cutAt >= 0 {
			require.Len(t, torn, 1, "seed %d", seed)
			require.Equal(t, int64(cutAt), torn[0].Off)
			require.Zero(t, torn[0].Off%sectorSize)
			sawCut = true
			if len(got) > cutAt {
				sawZeros = true
				require.Contains(t, torn[0].Detail, "zeros")
			} else {
				sawShort = true
			}
		} else {
			require.Empty(t, torn, "seed %d", seed)
		}
		sawNone = sawNone || (whole == 0 && cutAt < 0)
		sawAll = sawAll || whole == 5
	}
	require.True(t, sawCut && sawZeros && sawShort && sawNone && sawAll,
		"cut=%v zeros=%v short=%v none=%v all=%v", sawCut, sawZeros, sawShort, sawNone, sawAll)
}

func TestTornRenameIsAtomic(t *testing.T) {
	var kept, lost int
	for seed := uint64(0); seed < 64; seed++ {
		d := newDisk(t, seed, Options{})
		require.NoError(t, d.MkdirAll("x", 0o755))
		require.NoError(t, d.MkdirAll("y", 0o755))
		syncDir(t, d, "/")
		writeFile(t, d, "x/a", []byte("A"), true)
		writeFile(t, d, "y/b", []byte("B"), true)
		syncDir(t, d, "x")
		syncDir(t, d, "y")
		require.NoError(t, d.Rename("x/a", "x/c"))
		require.NoError(t, d.Rename("y/b", "x/d")) // across directories
		d.PowerLoss(Torn)
		require.NotEqual(t, exists(d, "x/a"), exists(d, "x/c"), "seed %d: one of a, c", seed)
		require.NotEqual(t, exists(d, "y/b"), exists(d, "x/d"), "seed %d: one of b, d", seed)
		if exists(d, "x/c") {
			kept++
		} else {
			lost++
		}
	}
	require.Positive(t, kept)
	require.Positive(t, lost)
}

func TestTornDirectoryOpsAreKeptOrLostIndependently(t *testing.T) {
	counts := map[int]int{}
	for seed := uint64(0); seed < 32; seed++ {
		d := newDisk(t, seed, Options{})
		for i := range 8 {
			writeFile(t, d, string(rune('a'+i)), []byte{byte(i)}, true)
		}
		d.PowerLoss(Torn)
		names, err := d.List("/")
		require.NoError(t, err)
		counts[len(names)]++
	}
	require.Greater(t, len(counts), 3, "survivor counts should vary: %v", counts)
}

// lyingScenario makes four synced 1024-byte appends, one Sync each.
func lyingScenario(t *testing.T, seed uint64, mode PowerMode) (*disk, []byte) {
	d := newDisk(t, seed, Options{})
	writeFile(t, d, "wal", nil, true)
	syncDir(t, d, "/")
	for i := range 4 {
		appendFile(t, d, "wal", fill(byte('a'+i), 1024), true)
	}
	d.PowerLoss(mode)
	return d, readFile(t, d, "wal")
}

func TestLyingPowerLossLosesOlderSyncedWriteKeepsNewest(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		d, got := lyingScenario(t, seed, Lying)
		require.Len(t, got, 4096, "the size was synced")
		require.Equal(t, fill('d', 1024), got[3072:], "seed %d: newest synced write kept", seed)
		lost := d.faultsOf("lying-loss")
		require.NotEmpty(t, lost, "seed %d: some synced write lost", seed)
		for _, f := range lost {
			require.Equal(t, "wal", f.Path)
			require.Less(t, f.Off, int64(3072))
			require.Equal(t, make([]byte, f.Len), got[f.Off:f.Off+f.Len], "seed %d: lost write reads as a hole", seed)
		}
		for _, f := range d.faultsOf("lying-torn") {
			require.Zero(t, f.Off%sectorSize)
			require.Equal(t, make([]byte, f.Len), got[f.Off:f.Off+f.Len])
		}
	}
}

func TestHonestAndTornNeverLoseSyncedWrites(t *testing.T) {
	want := bytes.Join([][]byte{fill('a', 1024), fill('b', 1024), fill('c', 1024), fill('d', 1024)}, nil)
	for seed := uint64(0); seed < 20; seed++ {
		for _, m := range []PowerMode{Honest, Torn} {
			d, got := lyingScenario(t, seed, m)
			require.Equal(t, want, got, "seed %d mode %s", seed, m)
			require.Empty(t, d.faultsOf("lying-loss"))
		}
	}
}

func TestLyingLossNeedsTwoSyncedWrites(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "one", []byte("only write"), true)
	syncDir(t, d, "/")
	d.PowerLoss(Lying)
	require.Equal(t, "only write", string(readFile(t, d, "one")))
	require.Empty(t, d.faultsOf("lying-loss"))
}

func TestPowerLossKillsHandlesAndLocks(t *testing.T) {
	d := newDisk(t, 1, Options{})
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	l, err := d.Lock("LOCK")
	require.NoError(t, err)
	d.PowerLoss(Honest)
	_, err = f.Write([]byte("x"))
	require.ErrorIs(t, err, ErrStaleHandle)
	require.ErrorIs(t, l.Close(), ErrStaleHandle)
	l2, err := d.Lock("LOCK")
	require.NoError(t, err)
	require.NoError(t, l2.Close())
}

func TestProcessCrashKeepsUnsyncedDataAndKillsHandles(t *testing.T) {
	d := newDisk(t, 1, Options{})
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.Write([]byte("unsynced"))
	require.NoError(t, err)
	l, err := d.Lock("LOCK")
	require.NoError(t, err)
	_, err = d.Lock("LOCK")
	require.Error(t, err, "already locked")

	d.Crash()

	require.Equal(t, "unsynced", string(readFile(t, d, "f")), "page cache survives")
	for _, use := range []func() error{
		func() error { _, err := f.Write([]byte("x")); return err },
		func() error { _, err := f.ReadAt(make([]byte, 1), 0); return err },
		f.Sync,
		func() error { _, err := f.Stat(); return err },
		f.Close,
	} {
		require.ErrorIs(t, use(), ErrStaleHandle)
	}
	require.ErrorIs(t, l.Close(), ErrStaleHandle)
	l2, err := d.Lock("LOCK")
	require.NoError(t, err, "crash released the lock")
	require.NoError(t, l2.Close())
	require.Len(t, d.faultsOf("crash"), 1)

	// Still unsynced: a later honest power loss drops it.
	d.PowerLoss(Honest)
	require.False(t, exists(d, "f"))
}

func TestPowerModeNamesRoundTrip(t *testing.T) {
	for _, m := range []PowerMode{Honest, Torn, Lying} {
		text, err := m.MarshalText()
		require.NoError(t, err)
		var got PowerMode
		require.NoError(t, got.UnmarshalText(text))
		require.Equal(t, m, got)
	}
	var m PowerMode
	require.ErrorContains(t, m.UnmarshalText([]byte("flaky")), `unknown power-loss mode "flaky"`)
}

// A logged write views the page cache rather than copying the caller's
// buffer. Overwriting those bytes later, or reusing the buffer, must not
// change what a power loss restores.
func TestOverwriteInPlaceKeepsEarlierWritesForPowerLoss(t *testing.T) {
	d := newDisk(t, 1, Options{})
	buf := []byte("first")
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.Write(buf)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	copy(buf, "XXXXX")                  // the caller reuses its buffer
	_, err = f.WriteAt([]byte("EC"), 1) // within the cache's bytes: in place
	require.NoError(t, err)
	require.Equal(t, "fECst", string(readFile(t, d, "f")))
	syncDir(t, d, "/")

	d.PowerLoss(Honest)

	require.Equal(t, "first", string(readFile(t, d, "f")), "the synced write, as it was written")
}
