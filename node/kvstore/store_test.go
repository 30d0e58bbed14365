package kvstore

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
)

func TestPutGetDeleteRoundTrip(t *testing.T) {
	s := openT(t, vfs.NewMem(), Options{})
	require.True(t, s.Info().New)
	_, ok := s.Get("a")
	require.False(t, ok)

	put(t, s, true, "a", "1", "b", "2")
	v, ok := s.Get("a")
	require.True(t, ok)
	require.Equal(t, "1", string(v))

	var b Batch
	b.Put("a", []byte("3"))
	b.Delete("b")
	b.Put("empty", nil)
	require.NoError(t, s.Apply(&b, false))
	require.Equal(t, map[string]string{"a": "3", "empty": ""}, contents(s))
	v, ok = s.Get("empty")
	require.True(t, ok)
	require.Empty(t, v)
	require.Equal(t, uint64(2), s.Seq())
	require.NoError(t, s.Close())
}

func TestBatchOperationsApplyInOrder(t *testing.T) {
	s := openT(t, vfs.NewMem(), Options{})
	var b Batch
	b.Put("k", []byte("first"))
	b.Delete("k")
	b.Put("p/1", []byte("x"))
	b.DeletePrefix("p/")
	b.Put("p/2", []byte("y"))
	b.Put("k", []byte("last"))
	require.NoError(t, s.Apply(&b, true))
	require.Equal(t, map[string]string{"k": "last", "p/2": "y"}, contents(s))
}

func TestDeletePrefixRemovesExactlyThatPrefix(t *testing.T) {
	s := openT(t, vfs.NewMem(), Options{})
	put(t, s, false, "paxos/1", "a", "paxos/2", "b", "paxos", "c", "paxoz", "d", "pax", "e", "z", "f")
	var b Batch
	b.DeletePrefix("paxos/")
	require.NoError(t, s.Apply(&b, true))
	require.Equal(t, map[string]string{"paxos": "c", "paxoz": "d", "pax": "e", "z": "f"}, contents(s))

	b = Batch{}
	b.DeletePrefix("")
	require.NoError(t, s.Apply(&b, true))
	require.Empty(t, contents(s))
}

func TestIterationIsOrderedAndStaysInsideThePrefix(t *testing.T) {
	s := openT(t, vfs.NewMem(), Options{})
	put(t, s, false, "b/2", "x", "a/1", "x", "b/10", "x", "b/1", "x", "c", "x", "b", "x")
	var keys []string
	s.Iterate("b/", func(k string, _ []byte) bool {
		keys = append(keys, k)
		return true
	})
	require.Equal(t, []string{"b/1", "b/10", "b/2"}, keys)

	keys = nil
	s.IterateFrom("b/", "b/10", func(k string, _ []byte) bool {
		keys = append(keys, k)
		return true
	})
	require.Equal(t, []string{"b/10", "b/2"}, keys, "resume at a key")

	keys = nil
	s.Iterate("", func(k string, _ []byte) bool {
		keys = append(keys, k)
		return len(keys) < 3
	})
	require.Equal(t, []string{"a/1", "b", "b/1"}, keys, "stop when fn says so")
}

func TestSnapshotIsUnaffectedByLaterApplies(t *testing.T) {
	s := openT(t, vfs.NewMem(), Options{})
	put(t, s, true, "a", "1", "b", "2")
	snap := s.Snapshot()

	put(t, s, true, "a", "changed", "c", "3")
	var b Batch
	b.DeletePrefix("")
	require.NoError(t, s.Apply(&b, true))

	require.Equal(t, map[string]string{"a": "1", "b": "2"}, contents(snap))
	v, ok := snap.Get("a")
	require.True(t, ok)
	require.Equal(t, "1", string(v))
	require.Empty(t, contents(s))
	require.Equal(t, uint64(3), s.Seq())
}

func TestValuesAreCopiedInAndOut(t *testing.T) {
	s := openT(t, vfs.NewMem(), Options{})
	buf := []byte("original")
	var b Batch
	b.Put("k", buf)
	copy(buf, "CLOBBER!")
	require.NoError(t, s.Apply(&b, true))
	b.Put("other", []byte("zzzzzzzzzzzz")) // appends to the batch's buffer

	v, _ := s.Get("k")
	require.Equal(t, "original", string(v))
	copy(v, "CLOBBER!")
	s.Iterate("", func(_ string, v []byte) bool {
		copy(v, "CLOBBER!")
		return true
	})
	v, _ = s.Get("k")
	require.Equal(t, "original", string(v))
}

func TestReopenAfterCleanCloseKeepsEveryBatch(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, Options{})
	want := map[string]string{}
	for i := range 50 {
		k, v := fmt.Sprintf("k%03d", i%17), fmt.Sprintf("v%d", i)
		put(t, s, i%3 == 0, k, v)
		want[k] = v
	}
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Apply(&Batch{}, true), ErrClosed)

	s = openT(t, fs, Options{})
	require.False(t, s.Info().New)
	require.Equal(t, want, contents(s))
	require.Equal(t, uint64(50), s.Seq())
	require.Equal(t, 50, s.Info().RecordsReplayed)
	require.Equal(t, int64(-1), s.Info().TornOffset)
}

func TestCheckpointsAndSegmentRotationHappen(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, Options{L1Every: 3, L2Every: 10})
	require.Equal(t, uint64(1), s.Info().Generation)
	require.Equal(t, []string{"CKPT-0000000000000001", "LOG-0000000000000001", "MANIFEST"}, listStore(t, fs))

	for i := range 4 {
		put(t, s, false, fmt.Sprintf("k%d", i), "v")
	}
	require.Contains(t, listStore(t, fs), "L1", "L1 written after L1Every batches")

	for i := 4; i < 11; i++ {
		put(t, s, false, fmt.Sprintf("k%d", i), "v")
	}
	require.Equal(t, []string{"CKPT-0000000000000002", "LOG-0000000000000002", "MANIFEST"}, listStore(t, fs),
		"an L2 checkpoint after L2Every batches starts generation 2 and removes generation 1")
	require.NoError(t, s.Close())

	s = openT(t, fs, Options{SegmentBytes: 200})
	gen := s.Info().Generation
	require.Equal(t, uint64(10), s.Info().CheckpointSeq, "recovered from the generation-2 checkpoint")
	require.Equal(t, 1, s.Info().RecordsReplayed)
	for i := range 5 {
		put(t, s, false, fmt.Sprintf("big%d", i), string(make([]byte, 150)))
	}
	require.Greater(t, s.gen, gen+2, "a segment past SegmentBytes rotates")
	require.Len(t, listStore(t, fs), 3)
}

func TestProcessCrashRecoversFromL1WhenItsAnchorIsInTheLog(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, Options{L1Every: 4})
	want := map[string]string{}
	for i := range 10 {
		k := fmt.Sprintf("k%d", i)
		put(t, s, false, k, "v")
		want[k] = "v"
	}
	// No Close: a process crash. MemFS keeps unsynced data, like the page cache.
	s = openT(t, fs, Options{L1Every: 4})
	require.Equal(t, 1, s.Info().Level)
	require.Equal(t, uint64(8), s.Info().CheckpointSeq, "L1 taken before batch 9")
	require.Equal(t, 2, s.Info().RecordsReplayed)
	require.Equal(t, want, contents(s))
}

func TestDamagedL1FallsBackToL2(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"bit flip":  func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-9] },
		"empty":     func([]byte) []byte { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			fs := vfs.NewMem()
			s := openT(t, fs, Options{L1Every: 2})
			for i := range 5 {
				put(t, s, false, fmt.Sprintf("k%d", i), "v")
			}
			want := contents(s)
			l1 := fs.PathJoin(testDir, l1Name)
			rewrite(t, fs, l1, damage(readAll(t, fs, l1)))

			s = openT(t, fs, Options{L1Every: 2})
			require.Equal(t, 2, s.Info().Level)
			require.Equal(t, 5, s.Info().RecordsReplayed)
			require.Equal(t, want, contents(s))
		})
	}
}

func TestL1WhoseAnchorIsGoneIsIgnored(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, Options{L1Every: 2})
	for i := range 5 {
		put(t, s, i < 2, fmt.Sprintf("k%d", i), "v")
	}
	// As after a power loss: the log keeps its synced records only, L1
	// (anchored on record 4) survived.
	logPath := storeFile(t, fs, logPrefix)
	data := readAll(t, fs, logPath)
	rewrite(t, fs, logPath, data[:recordOffsets(t, data)[2]])

	s = openT(t, fs, Options{L1Every: 2})
	require.Equal(t, 2, s.Info().Level)
	require.Equal(t, map[string]string{"k0": "v", "k1": "v"}, contents(s))
}

func TestNewStoreIsCreatedInAMissingOrEmptyDirectory(t *testing.T) {
	fs := vfs.NewMem()
	s := openT(t, fs, Options{})
	require.True(t, s.Info().New)
	require.Equal(t, 0, s.Info().Level)
	require.NoError(t, s.Close())

	fs = vfs.NewMem()
	require.NoError(t, fs.MkdirAll(testDir, 0o755))
	s = openT(t, fs, Options{})
	require.True(t, s.Info().New)
	require.Empty(t, contents(s))
}
