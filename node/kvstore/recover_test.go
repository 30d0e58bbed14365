package kvstore

import (
	"bytes"
	"fmt"
	"syscall"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/stretchr/testify/require"
)

// threeRecords builds a store whose live segment holds three synced
// records, closes it, and returns the state after each batch.
func threeRecords(t *testing.T, fs vfs.FS) []map[string]string {
	t.Helper()
	s := openT(t, fs, noL1)
	states := []map[string]string{contents(s)}
	for i := range 3 {
		put(t, s, true, fmt.Sprintf("key-%d", i), fmt.Sprintf("value-%d", i))
		states = append(states, contents(s))
	}
	require.NoError(t, s.Close())
	return states
}

func TestBadManifestIsCorruption(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"bit flip":  func(b []byte) []byte { b[10] ^= 4; return b },
		"truncated": func(b []byte) []byte { return b[:20] },
		"zeroed":    func(b []byte) []byte { return make([]byte, len(b)) },
	} {
		t.Run(name, func(t *testing.T) {
			fs := vfs.NewMem()
			threeRecords(t, fs)
			path := fs.PathJoin(testDir, manifestName)
			rewrite(t, fs, path, damage(readAll(t, fs, path)))
			_, err := Open(fs, testDir, noL1)
			requireCorrupt(t, err, manifestName)
		})
	}
}

func TestBadCheckpointIsCorruption(t *testing.T) {
	fs := vfs.NewMem()
	threeRecords(t, fs)
	s := openT(t, fs, noL1) // its state now lives in the checkpoint
	require.NoError(t, s.Close())
	path := storeFile(t, fs, ckptPrefix)
	data := readAll(t, fs, path)
	for i := range data {
		damaged := append([]byte(nil), data...)
		damaged[i] ^= 0x10
		rewrite(t, fs, path, damaged)
		_, err := Open(fs, testDir, noL1)
		requireCorrupt(t, err, ckptPrefix)
	}
}

func TestMissingReferencedFileIsCorruption(t *testing.T) {
	for _, prefix := range []string{ckptPrefix, logPrefix} {
		t.Run(prefix, func(t *testing.T) {
			fs := vfs.NewMem()
			threeRecords(t, fs)
			require.NoError(t, fs.Remove(storeFile(t, fs, prefix)))
			_, err := Open(fs, testDir, noL1)
			requireCorrupt(t, err, prefix)
		})
	}
}

func TestStoreFilesWithoutManifestAreCorruption(t *testing.T) {
	fs := vfs.NewMem()
	threeRecords(t, fs) // generation 1, with records
	require.NoError(t, fs.Remove(fs.PathJoin(testDir, manifestName)))
	_, err := Open(fs, testDir, noL1)
	requireCorrupt(t, err, manifestName)

	fs = vfs.NewMem()
	s := openT(t, fs, noL1)
	require.NoError(t, s.Close())
	s = openT(t, fs, noL1) // generation 2, no records
	require.NoError(t, s.Close())
	require.NoError(t, fs.Remove(fs.PathJoin(testDir, manifestName)))
	_, err = Open(fs, testDir, noL1)
	requireCorrupt(t, err, manifestName)
}

func TestLeftoversOfAnUncommittedSwitchAreRemoved(t *testing.T) {
	fs := vfs.NewMem()
	states := threeRecords(t, fs)
	for _, gen := range []uint64{2, 3} {
		rewrite(t, fs, fs.PathJoin(testDir, logName(gen)), encodeSegmentHeader(gen, 4))
		rewrite(t, fs, fs.PathJoin(testDir, ckptName(gen)+tmpSuffix), []byte("partial"))
	}
	s := openT(t, fs, noL1)
	require.Equal(t, states[3], contents(s))
	require.Equal(t, []string{ckptName(2), logName(2), manifestName}, listStore(t, fs))
}

func TestCutCreationLeavesANewStore(t *testing.T) {
	fs := vfs.NewMem()
	require.NoError(t, fs.MkdirAll(testDir, 0o755))
	rewrite(t, fs, fs.PathJoin(testDir, ckptName(1)), []byte("whatever"))
	rewrite(t, fs, fs.PathJoin(testDir, logName(1)), encodeSegmentHeader(1, 1))
	rewrite(t, fs, fs.PathJoin(testDir, manifestTmpName), []byte("x"))
	s := openT(t, fs, noL1)
	require.True(t, s.Info().New)
	require.Equal(t, []string{ckptName(1), logName(1), manifestName}, listStore(t, fs))
}

func TestBadRecordFollowedByAGoodOneIsCorruption(t *testing.T) {
	fs := vfs.NewMem()
	threeRecords(t, fs)
	path := storeFile(t, fs, logPrefix)
	data := readAll(t, fs, path)
	offs := recordOffsets(t, data)
	// Every byte of every record but the last, and the segment header.
	for i := 0; i < int(offs[2]); i++ {
		damaged := append([]byte(nil), data...)
		damaged[i] ^= 0x01
		rewrite(t, fs, path, damaged)
		_, err := Open(fs, testDir, noL1)
		requireCorrupt(t, err, logPrefix)
	}
}

func TestBitFlipInTheLastSyncedRecordIsCorruptionNotATornTail(t *testing.T) {
	fs := vfs.NewMem()
	threeRecords(t, fs)
	path := storeFile(t, fs, logPrefix)
	data := readAll(t, fs, path)
	last := recordOffsets(t, data)[2]
	// Entry header, payload and trailer: the trailer proves the record was
	// completely written, so no single flipped bit may pass for a tear.
	for i := int(last); i < len(data); i++ {
		for bit := range 8 {
			damaged := append([]byte(nil), data...)
			damaged[i] ^= 1 << bit
			rewrite(t, fs, path, damaged)
			_, err := Open(fs, testDir, noL1)
			ce := requireCorrupt(t, err, logPrefix)
			require.GreaterOrEqual(t, ce.Offset, last, "byte %d bit %d", i, bit)
		}
	}
}

func TestSequenceGapIsCorruption(t *testing.T) {
	fs := vfs.NewMem()
	threeRecords(t, fs)
	path := storeFile(t, fs, logPrefix)
	data := readAll(t, fs, path)
	offs := recordOffsets(t, data)
	// Drop the middle record: two valid records with a gap between them.
	gapped := append(append([]byte(nil), data[:offs[1]]...), data[offs[2]:]...)
	rewrite(t, fs, path, gapped)
	_, err := Open(fs, testDir, noL1)
	ce := requireCorrupt(t, err, logPrefix)
	require.Contains(t, ce.Reason, "sequence gap")
}

// bigLastRecord builds a segment of two small synced records and a last
// one whose value is sized so that its trailer straddles a sector
// boundary, closes the store, and returns the states, the log path, its
// bytes and where the last record's entry and trailer start.
func bigLastRecord(t *testing.T, fs vfs.FS) (states []map[string]string, path string, data []byte, entry, trailer int64) {
	t.Helper()
	s := openT(t, fs, noL1)
	states = []map[string]string{contents(s)}
	put(t, s, true, "key-0", "value-0")
	put(t, s, true, "key-1", "value-1")
	states = append(states, nil, contents(s))
	entry = s.log.off
	// payload = op, key length, "key-2", 2-byte value length, value.
	valueLen := 2*sectorSize - 10 - int(entry) - entryHeaderSize - 1 - 1 - 5 - 2
	put(t, s, true, "key-2", string(bytes.Repeat([]byte{'v'}, valueLen)))
	states = append(states, contents(s))
	require.NoError(t, s.Close())
	path = storeFile(t, fs, logPrefix)
	data = readAll(t, fs, path)
	trailer = int64(len(data)) - trailerSize
	require.Equal(t, int64(2*sectorSize-10), trailer)
	return states, path, data, entry, trailer
}

func TestTornTailIsDiscarded(t *testing.T) {
	states, path, data, entry, trailer := bigLastRecord(t, vfs.NewMem())
	type tear struct {
		name string
		keep int64 // bytes of the segment kept
		size int64 // segment size after the tear; past keep it reads zeros
	}
	tears := []tear{{"trailer not written", trailer, trailer}}
	// A write cut at a sector boundary: the file ends at the cut, or its
	// size reached the disk and the rest of the write reads as zeros.
	for c := (entry/sectorSize + 1) * sectorSize; c < int64(len(data)); c += sectorSize {
		end := trailer
		if c > trailer {
			end = int64(len(data))
		}
		tears = append(tears,
			tear{fmt.Sprintf("cut at %d", c), c, c},
			tear{fmt.Sprintf("cut at %d, zeros to %d", c, end), c, end})
	}
	tears = append(tears, tear{"entry not written, size extended", entry, trailer})
	for _, tr := range tears {
		t.Run(tr.name, func(t *testing.T) {
			fs := vfs.NewMem()
			bigLastRecord(t, fs)
			torn := append(append([]byte(nil), data[:tr.keep]...), make([]byte, tr.size-tr.keep)...)
			rewrite(t, fs, path, torn)

			s := openT(t, fs, noL1)
			require.Equal(t, states[2], contents(s))
			require.Equal(t, entry, s.Info().TornOffset)
			require.Equal(t, tr.size-entry, s.Info().TornBytes)
			put(t, s, true, "after", "reopen")
			require.NoError(t, s.Close())

			s = openT(t, fs, noL1)
			require.Equal(t, int64(-1), s.Info().TornOffset, "the torn tail is gone for good")
			require.Equal(t, "reopen", contents(s)["after"])
		})
	}
}

func TestTruncationAtARecordBoundaryIsAShorterLog(t *testing.T) {
	fs := vfs.NewMem()
	states, path, data, entry, _ := bigLastRecord(t, fs)
	rewrite(t, fs, path, data[:entry])
	s := openT(t, fs, noL1)
	require.Equal(t, states[2], contents(s))
	require.Equal(t, int64(-1), s.Info().TornOffset, "undetectable: see doc.go")
}

func TestCutInMidSectorAndMidWriteIsCorruption(t *testing.T) {
	_, path, data, entry, _ := bigLastRecord(t, vfs.NewMem())
	// No tear ends a file there: it is a truncation of synced data.
	for _, cut := range []int64{entry + 13, sectorSize + 1, int64(len(data)) - 7} {
		for _, zeros := range []int64{0, 5} {
			fs := vfs.NewMem()
			bigLastRecord(t, fs)
			rewrite(t, fs, path, append(append([]byte(nil), data[:cut]...), make([]byte, zeros)...))
			_, err := Open(fs, testDir, noL1)
			requireCorrupt(t, err, logPrefix)
		}
	}
}

func TestEntryWithoutItsTrailerIsATornTail(t *testing.T) {
	fs := vfs.NewMem()
	states := threeRecords(t, fs)
	cut := func(name Point) {
		if name == PointLogEntryWritten {
			panic(name)
		}
	}
	s := openT(t, fs, Options{L1Every: -1, Point: cut})
	require.PanicsWithValue(t, PointLogEntryWritten, func() { put(t, s, true, "lost", "x") })

	s = openT(t, fs, noL1)
	require.Equal(t, states[3], contents(s))
	require.Positive(t, s.Info().TornBytes)
}

func TestDataPastADamagedLastRecordIsCorruption(t *testing.T) {
	fs := vfs.NewMem()
	threeRecords(t, fs)
	path := storeFile(t, fs, logPrefix)
	data := readAll(t, fs, path)
	last := recordOffsets(t, data)[2]
	entryEnd := last + entryHeaderSize + int64(len(data)) - last - entryHeaderSize - trailerSize
	// Non-zero bytes past where the last entry ends that are not its
	// trailer: no tear leaves that, since a tear keeps a prefix of the
	// writes, then zeros at most.
	for _, keep := range []int64{entryEnd - 3, entryEnd, entryEnd + 5} {
		damaged := append(append([]byte(nil), data[:keep]...), make([]byte, 40)...)
		damaged[len(damaged)-2] = 0xee
		rewrite(t, fs, path, damaged)
		_, err := Open(fs, testDir, noL1)
		requireCorrupt(t, err, logPrefix)
	}
}

var errTestEIO = fmt.Errorf("test disk: %w", syscall.EIO)

// failOn injects EIO into every operation of the given kind on paths with
// the given prefix, once armed.
func failOn(kind errorfs.OpKind, prefix string, armed *bool) errorfs.Injector {
	return errorfs.InjectorFunc(func(op errorfs.Op) error {
		if *armed && op.Kind == kind && len(op.Path) >= len(prefix) && op.Path[:len(prefix)] == prefix {
			return errTestEIO
		}
		return nil
	})
}

func TestReadErrorIsAnIOErrorNotCorruption(t *testing.T) {
	mem := vfs.NewMem()
	threeRecords(t, mem)
	armed := true
	fs := errorfs.Wrap(mem, failOn(errorfs.OpFileRead, testDir+"/"+logPrefix, &armed))
	_, err := Open(fs, testDir, noL1)
	require.ErrorIs(t, err, syscall.EIO)
	require.NotErrorIs(t, err, ErrCorrupt)
	var ioe *IOError
	require.ErrorAs(t, err, &ioe)
	require.Equal(t, "read", ioe.Op)
}

func TestFailedSyncPoisonsTheStore(t *testing.T) {
	mem := vfs.NewMem()
	armed := false
	fs := errorfs.Wrap(mem, failOn(errorfs.OpFileSync, testDir+"/"+logPrefix, &armed))
	s := openT(t, fs, noL1)
	put(t, s, true, "a", "1")

	armed = true
	var b Batch
	b.Put("b", []byte("2"))
	err := s.Apply(&b, true)
	require.ErrorIs(t, err, syscall.EIO)
	var ioe *IOError
	require.ErrorAs(t, err, &ioe)
	_, ok := s.Get("b")
	require.False(t, ok, "a failed batch is not applied in memory")

	armed = false // the disk recovers, but the store stays poisoned
	err = s.Apply(&b, false)
	require.ErrorIs(t, err, ErrPoisoned)
	require.ErrorIs(t, err, syscall.EIO)
	require.NoError(t, s.Close())

	s = openT(t, fs, noL1)
	v, _ := s.Get("a")
	require.Equal(t, "1", string(v))
}

func TestFailedWriteLeavesAnOpenableStore(t *testing.T) {
	mem := vfs.NewMem()
	armed := false
	fs := errorfs.Wrap(mem, failOn(errorfs.OpFileWrite, testDir+"/"+logPrefix, &armed))
	s := openT(t, fs, noL1)
	put(t, s, true, "a", "1")
	armed = true
	require.ErrorIs(t, s.Apply(&Batch{}, true), syscall.EIO)
	require.ErrorIs(t, s.Apply(&Batch{}, true), ErrPoisoned)
	armed = false

	s = openT(t, fs, noL1)
	require.Equal(t, map[string]string{"a": "1"}, contents(s))
}

// A store directory renamed into place whose parent was never synced (the
// directory fsync failed, then the process restarted) is durable once Open
// returns: a power cut after it must not take the store away.
func TestOpenMakesARenamedDirectoryDurable(t *testing.T) {
	for _, trust := range []bool{false, true} {
		fs := vfs.NewCrashableMem()
		threeRecords(t, fs)
		moved := fs.PathJoin(fs.PathDir(testDir), "store.moved")
		require.NoError(t, fs.Rename(testDir, moved)) // no directory sync
		opts := noL1
		opts.TrustDirEntry = trust
		s, err := Open(fs, moved, opts)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		_, err = fs.CrashClone(vfs.CrashCloneCfg{}).Stat(moved)
		if trust {
			require.Error(t, err, "the planted bug trusts the entry: a power cut undoes the rename")
		} else {
			require.NoError(t, err, "Open synced the parent: the rename survives a power cut")
		}
	}
}
