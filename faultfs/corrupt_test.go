package faultfs

import (
	"bytes"
	"math/bits"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/internal/rng"
)

// corruptScenario holds two durably written files of distinct random bytes
// and one file with unsynced data only.
func corruptScenario(t *testing.T, seed uint64) (*disk, map[string][]byte) {
	d := newDisk(t, seed, Options{})
	r := rng.New(seed, "content")
	want := map[string][]byte{}
	for _, name := range []string{"db/a", "db/b"} {
		data := make([]byte, 3000)
		for i := range data {
			data[i] = byte(r.Uint64())
		}
		want[name] = data
	}
	require.NoError(t, d.MkdirAll("db", 0o755))
	syncDir(t, d, "/")
	writeFile(t, d, "db/a", want["db/a"], true)
	writeFile(t, d, "db/b", want["db/b"], true)
	writeFile(t, d, "db/unsynced", fill('u', 100), false)
	syncDir(t, d, "db")
	return d, want
}

func TestEachCorruptionKindChangesDurableBytes(t *testing.T) {
	for _, kind := range []CorruptKind{BitFlip, ZeroSector, Truncate, Misdirect} {
		t.Run(kind.String(), func(t *testing.T) {
			for seed := uint64(0); seed < 20; seed++ {
				d, want := corruptScenario(t, seed)
				f, ok := d.Corrupt(kind, "db/")
				require.True(t, ok)
				require.Equal(t, []Fault{f}, d.faultsOf("corrupt/"+kind.String()))
				require.Contains(t, want, f.Path, "only files with durable bytes qualify")

				seen := readFile(t, d, f.Path)
				require.NotEqual(t, want[f.Path], seen, "reads see the damage")
				d.PowerLoss(Honest)
				durable := readFile(t, d, f.Path)
				require.Equal(t, seen, durable, "the damage is durable")
				checkDamage(t, kind, f, want, durable)
			}
		})
	}
}

// checkDamage asserts the bytes changed exactly as the fault says.
func checkDamage(t *testing.T, kind CorruptKind, f Fault, want map[string][]byte, got []byte) {
	orig := want[f.Path]
	switch kind {
	case BitFlip:
		require.Len(t, got, len(orig))
		diff := 0
		for i := range orig {
			diff += bits.OnesCount8(orig[i] ^ got[i])
		}
		require.Equal(t, 1, diff)
		require.NotEqual(t, orig[f.Off], got[f.Off])
	case ZeroSector:
		require.Zero(t, f.Off%sectorSize)
		require.Equal(t, make([]byte, f.Len), got[f.Off:f.Off+f.Len])
		require.Equal(t, orig[:f.Off], got[:f.Off])
		require.Equal(t, orig[f.Off+f.Len:], got[f.Off+f.Len:])
	case Truncate:
		require.Equal(t, orig[:f.Off], got)
		require.Equal(t, int64(len(orig))-f.Off, f.Len)
	case Misdirect:
		require.Zero(t, f.Off%sectorSize)
		require.Len(t, got, len(orig))
		require.Equal(t, orig[:f.Off], got[:f.Off])
		require.Equal(t, orig[f.Off+f.Len:], got[f.Off+f.Len:])
		// The chunk came from somewhere else on the disk.
		chunk := got[f.Off : f.Off+f.Len]
		require.True(t, bytes.Contains(want["db/a"], chunk) || bytes.Contains(want["db/b"], chunk))
	}
}

func TestCorruptOnlyTouchesDurableBytesUnderTarget(t *testing.T) {
	d, _ := corruptScenario(t, 1)
	_, ok := d.Corrupt(BitFlip, "db/unsynced")
	require.False(t, ok, "no durable bytes")
	_, ok = d.Corrupt(BitFlip, "other/")
	require.False(t, ok, "no such prefix")
	require.Empty(t, d.faults)
	f, ok := d.Corrupt(ZeroSector, "/db/b")
	require.True(t, ok)
	require.Equal(t, "db/b", f.Path)
}

func TestCorruptionShowsUnderUnsyncedWrites(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "f", fill('d', 512), true)
	appendFile(t, d, "f", fill('u', 512), false)
	f, ok := d.Corrupt(ZeroSector, "f")
	require.True(t, ok)
	require.Equal(t, int64(0), f.Off, "only the first sector is durable")
	require.Equal(t, append(make([]byte, 512), fill('u', 512)...), readFile(t, d, "f"))
}

func TestMisdirectNeedsTwoSectors(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "f", fill('d', 100), true)
	_, ok := d.Corrupt(Misdirect, "")
	require.False(t, ok)
}

func TestCorruptKindNamesRoundTrip(t *testing.T) {
	for _, k := range []CorruptKind{BitFlip, ZeroSector, Truncate, Misdirect, Wipe} {
		text, err := k.MarshalText()
		require.NoError(t, err)
		var got CorruptKind
		require.NoError(t, got.UnmarshalText(text))
		require.Equal(t, k, got)
	}
	var k CorruptKind
	require.ErrorContains(t, k.UnmarshalText([]byte("rot")), `unknown corruption kind "rot"`)
}

func TestIOClassNamesRoundTrip(t *testing.T) {
	for _, c := range []IOClass{OnRead, OnWrite, OnSync, OnMeta, OnLookup, OnAnyIO, OnRead | OnSync, OnMeta | OnSync, OnLookup | OnMeta} {
		text, err := c.MarshalText()
		require.NoError(t, err)
		var got IOClass
		require.NoError(t, got.UnmarshalText(text))
		require.Equal(t, c, got)
	}
	var c IOClass
	require.ErrorContains(t, c.UnmarshalText([]byte("fsync")), `unknown I/O class "fsync"`)
}

// Wipe removes a directory with everything in it, and the removal is
// durable at once: a power loss does not bring it back.
func TestWipeRemovesADirectoryDurably(t *testing.T) {
	d, _ := corruptScenario(t, 1)
	f, ok := d.Corrupt(Wipe, "db/")
	require.True(t, ok)
	require.Equal(t, Fault{Kind: "corrupt/wipe", Path: "db", Detail: "removed, with everything under it"}, f)
	require.Equal(t, []Fault{f}, d.faultsOf("corrupt/wipe"))
	require.False(t, exists(d, "db"))
	d.PowerLoss(Honest)
	require.False(t, exists(d, "db"), "the removal is durable")
	_, ok = d.Corrupt(Wipe, "db")
	require.False(t, ok, "nothing left to wipe")
}

// Aimed corruption stays inside the extent the locator finds: a bit flip
// and a cut land in it, a zeroed sector overlaps it; files the locator
// finds nothing in are left alone.
func TestCorruptWithinLandsInsideTheLocatedExtent(t *testing.T) {
	// locateIn finds bytes 1000..1699 of the file that starts like target.
	locateIn := func(target []byte) func([]byte) (int64, int64, bool) {
		return func(data []byte) (int64, int64, bool) { return 1000, 700, data[0] == target[0] }
	}
	for _, kind := range []CorruptKind{BitFlip, ZeroSector, Truncate} {
		t.Run(kind.String(), func(t *testing.T) {
			for seed := uint64(0); seed < 20; seed++ {
				d, want := corruptScenario(t, seed)
				if want["db/a"][0] == want["db/b"][0] {
					continue
				}
				f, ok := d.CorruptWithin(kind, "db/", locateIn(want["db/b"]))
				require.True(t, ok)
				require.Equal(t, "db/b", f.Path, "db/a holds nothing the locator finds")
				require.Equal(t, []Fault{f}, d.faultsOf("corrupt/"+kind.String()))
				d.PowerLoss(Honest)
				got := readFile(t, d, f.Path)
				checkDamage(t, kind, f, want, got)
				require.Equal(t, want["db/a"], readFile(t, d, "db/a"))
				switch kind {
				case ZeroSector:
					require.True(t, f.Off < 1700 && f.Off+f.Len > 1000, "sector %d+%d misses the extent", f.Off, f.Len)
				default:
					require.True(t, f.Off >= 1000 && f.Off < 1700, "offset %d outside the extent", f.Off)
				}
			}
		})
	}
	d, want := corruptScenario(t, 1)
	f, ok := d.CorruptWithin(BitFlip, "db/", func([]byte) (int64, int64, bool) { return 10, 5, true })
	require.True(t, ok)
	require.Equal(t, "db/b", f.Path, "of the files it finds the extent in, the last")
	d, want = corruptScenario(t, 1)
	_, ok = d.CorruptWithin(Misdirect, "db/", locateIn(want["db/b"]))
	require.False(t, ok, "misdirected writes are not aimed")
	_, ok = d.CorruptWithin(BitFlip, "db/", func([]byte) (int64, int64, bool) { return 0, 0, false })
	require.False(t, ok)
	require.Empty(t, d.faults)
}
