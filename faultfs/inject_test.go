package faultfs

import (
	"syscall"
	"testing"

	"github.com/cockroachdb/errors/oserror"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/stretchr/testify/require"
)

func TestInjectedEIOOnRead(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "f", []byte("data"), true)
	f, err := d.Open("f")
	require.NoError(t, err)
	d.SetInjector(d.EIO(OnRead, "", 1))
	_, err = f.ReadAt(make([]byte, 4), 0)
	require.ErrorIs(t, err, syscall.EIO)
	require.ErrorIs(t, err, ErrInjected)
	_, err = f.Read(make([]byte, 4))
	require.ErrorIs(t, err, syscall.EIO)
	require.Len(t, d.faultsOf("eio/read"), 2)
	d.ClearInjector()
	n, err := f.Read(make([]byte, 4))
	require.NoError(t, err)
	require.Equal(t, 4, n, "a failed read does not move the offset")
}

// A lookup error fails Open, List and Stat with EIO, not with "not
// there", and leaves writes alone.
func TestInjectedEIOOnLookup(t *testing.T) {
	d := newDisk(t, 1, Options{})
	require.NoError(t, d.MkdirAll("dir", 0o755))
	writeFile(t, d, "dir/f", []byte("data"), true)
	d.SetInjector(d.EIO(OnLookup, "dir", 1))
	_, err := d.Open("dir/f")
	require.ErrorIs(t, err, syscall.EIO)
	require.False(t, oserror.IsNotExist(err))
	_, err = d.List("dir")
	require.ErrorIs(t, err, syscall.EIO)
	_, err = d.Stat("dir/f")
	require.ErrorIs(t, err, syscall.EIO)
	f, err := d.Create("dir/g", vfs.WriteCategoryUnspecified)
	require.NoError(t, err, "a create is not a lookup")
	require.NoError(t, f.Close())
	require.Len(t, d.faultsOf("eio/lookup/open"), 1)
	require.Len(t, d.faultsOf("eio/lookup/list"), 1)
	require.Len(t, d.faultsOf("eio/lookup/stat"), 1)
	_, err = d.Unfaulted().Stat("dir/f")
	require.NoError(t, err, "the harness's view sees no injected error")
	require.Len(t, d.faultsOf("eio/lookup/stat"), 1)
	d.ClearInjector()
	names, err := d.List("dir")
	require.NoError(t, err)
	require.Equal(t, []string{"f", "g"}, names)
}

func TestInjectedEIOOnWriteWritesNothing(t *testing.T) {
	d := newDisk(t, 1, Options{})
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.Write([]byte("ok"))
	require.NoError(t, err)
	d.SetInjector(d.EIO(OnWrite, "f", 1))
	ops := d.MutatingOps()
	_, err = f.Write([]byte("lost"))
	require.ErrorIs(t, err, syscall.EIO)
	require.ErrorIs(t, err, ErrInjected)
	_, err = f.WriteAt([]byte("lost"), 0)
	require.ErrorIs(t, err, syscall.EIO)
	require.Equal(t, ops, d.MutatingOps(), "failed writes are no crash points")
	require.Equal(t, "ok", string(readFile(t, d, "f")))
	require.Len(t, d.faultsOf("eio/write"), 2)
}

func TestInjectedEIOOnSyncMakesNothingDurable(t *testing.T) {
	d := newDisk(t, 1, Options{})
	writeFile(t, d, "f", []byte("old"), true)
	syncDir(t, d, "/")
	f, err := d.OpenReadWrite("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("new"), 0)
	require.NoError(t, err)
	d.SetInjector(d.EIO(OnSync, "", 1))
	require.ErrorIs(t, f.Sync(), syscall.EIO)
	require.ErrorIs(t, f.SyncData(), ErrInjected)
	require.Len(t, d.faultsOf("eio/sync"), 2)
	d.PowerLoss(Honest)
	require.Equal(t, "old", string(readFile(t, d, "f")))
}

func TestInjectedENOSPCOnCreateAndWrite(t *testing.T) {
	d := newDisk(t, 1, Options{})
	f, err := d.Create("keep", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	d.SetInjector(d.ENOSPC("", 1))
	_, err = d.Create("new", vfs.WriteCategoryUnspecified)
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.ErrorIs(t, err, ErrInjected)
	require.False(t, exists(d, "new"))
	_, err = f.Write([]byte("x"))
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.NoError(t, f.Sync(), "syncs are not targeted")
	require.Len(t, d.faultsOf("enospc"), 2)
}

func TestInjectorsComposeWithAny(t *testing.T) {
	d := newDisk(t, 1, Options{})
	require.NoError(t, d.MkdirAll("a", 0o755))
	require.NoError(t, d.MkdirAll("b", 0o755))
	fa, err := d.Create("a/f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	fb, err := d.Create("b/f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	d.SetInjector(errorfs.Any(d.EIO(OnSync, "a/", 1), d.ENOSPC("b/", 1)))
	require.ErrorIs(t, fa.Sync(), syscall.EIO)
	_, err = fa.Write([]byte("x"))
	require.NoError(t, err)
	require.NoError(t, fb.Sync())
	_, err = fb.Write([]byte("x"))
	require.ErrorIs(t, err, syscall.ENOSPC)
}

func TestInjectedErrorRateFollowsProbability(t *testing.T) {
	d := newDisk(t, 1, Options{})
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	d.SetInjector(d.EIO(OnWrite, "", 0.25))
	failed := 0
	for range 1000 {
		if _, err := f.Write([]byte("x")); err != nil {
			failed++
		}
	}
	require.InDelta(t, 250, failed, 60)
	require.Len(t, d.faultsOf("eio/write"), failed)
}

func TestForeignInjectorErrorsAreMarkedInjected(t *testing.T) {
	d := newDisk(t, 1, Options{})
	d.SetInjector(errorfs.InjectorFunc(func(op errorfs.Op) error {
		if op.Kind == errorfs.OpMkdirAll {
			return errorfs.ErrInjected
		}
		return nil
	}))
	err := d.MkdirAll("x", 0o755)
	require.ErrorIs(t, err, ErrInjected)
	require.ErrorIs(t, err, errorfs.ErrInjected)
	require.Len(t, d.faultsOf("error/mkdirall"), 1)
}

func TestCapacityGivesENOSPC(t *testing.T) {
	d := newDisk(t, 1, Options{Capacity: 1000})
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = f.Write(make([]byte, 600))
	require.NoError(t, err)
	_, err = f.Write(make([]byte, 600))
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.NotErrorIs(t, err, ErrInjected, "a full disk is real")
	require.Len(t, d.faultsOf("enospc/full"), 1)
	_, err = f.WriteAt(make([]byte, 600), 0)
	require.NoError(t, err, "overwrites need no space")
	du, err := d.GetDiskUsage("/")
	require.NoError(t, err)
	require.Equal(t, vfs.DiskUsage{AvailBytes: 400, TotalBytes: 1000, UsedBytes: 600}, du)

	require.NoError(t, d.Remove("f"))
	du, err = d.GetDiskUsage("/")
	require.NoError(t, err)
	require.Equal(t, uint64(0), du.UsedBytes, "removing the last name frees the space")
	g, err := d.Create("g", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	_, err = g.Write(make([]byte, 1000))
	require.NoError(t, err)
}

func TestFsyncLatencyAndCostsAreCharged(t *testing.T) {
	var charged []int64
	d := newDisk(t, 1, Options{
		Charge:         func(ns int64) { charged = append(charged, ns) },
		SyncLatencyMin: 1_000_000, SyncLatencyMax: 5_000_000,
		WriteNsPerByte: 2, ReadNsPerByte: 1, OpNs: 100,
	})
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	require.Equal(t, []int64{100}, charged)

	charged = nil
	_, err = f.Write(make([]byte, 50))
	require.NoError(t, err)
	require.Equal(t, []int64{100, 100}, charged, "op cost, then 2 ns per byte")

	for range 20 {
		charged = nil
		require.NoError(t, f.Sync())
		require.Len(t, charged, 2)
		require.Equal(t, int64(100), charged[0])
		require.GreaterOrEqual(t, charged[1], int64(1_000_000))
		require.LessOrEqual(t, charged[1], int64(5_000_000))
	}

	charged = nil
	_, err = f.ReadAt(make([]byte, 10), 0)
	require.NoError(t, err)
	require.Equal(t, []int64{100, 10}, charged)

	charged = nil
	d.Crash()
	d.PowerLoss(Torn)
	d.Corrupt(BitFlip, "")
	require.Empty(t, charged, "faults cost nothing")
}

func TestZeroCostsChargeNothing(t *testing.T) {
	var charged []int64
	d := newDisk(t, 1, Options{Charge: func(ns int64) { charged = append(charged, ns) }})
	writeFile(t, d, "f", []byte("x"), true)
	require.Empty(t, charged)
}

func TestAfterOpSeesMutatingOpsOnly(t *testing.T) {
	var ops []string
	d := newDisk(t, 1, Options{AfterOp: func(op errorfs.Op) { ops = append(ops, opName(op.Kind)+" "+op.Path) }})
	require.NoError(t, d.MkdirAll("/db", 0o755))
	require.NoError(t, d.MkdirAll("db", 0o755)) // exists: no op
	writeFile(t, d, "db/f", []byte("x"), true)
	readFile(t, d, "db/f")
	_, _ = d.List("db")
	_, _ = d.Stat("db/f")
	syncDir(t, d, "db")
	require.NoError(t, d.Rename("db/f", "db/g"))
	require.NoError(t, d.Link("db/g", "db/h"))
	require.NoError(t, d.Remove("db/h"))
	l, err := d.Lock("db/LOCK")
	require.NoError(t, err)
	require.NoError(t, l.Close())
	f, err := d.ReuseForWrite("db/g", "db/i", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, d.RemoveAll("db"))
	require.Equal(t, []string{
		"mkdirall db", "create db/f", "write db/f", "sync db/f", "sync db",
		"rename db/f", "link db/g", "remove db/h", "lock db/LOCK", "reuseforwrite db/g", "removeall db",
	}, ops)
	require.Equal(t, int64(len(ops)), d.MutatingOps())
}

// powerCut is the panic value AfterOp uses to unwind after cutting power.
type powerCut struct{}

func TestAfterOpMayCutPowerAndUnwind(t *testing.T) {
	// Run the same write path, cutting power after each mutating op in turn:
	// the disk must stay usable, and the synced prefix must survive.
	path := func(fs vfs.FS) {
		require.NoError(t, fs.MkdirAll("db", 0o755))
		syncDir(t, fs, "/")
		writeFile(t, fs, "db/tmp", []byte("v1"), true)
		syncDir(t, fs, "db")
		require.NoError(t, fs.Rename("db/tmp", "db/cur"))
		syncDir(t, fs, "db")
	}
	probe := newDisk(t, 1, Options{})
	path(probe)
	total := probe.MutatingOps()
	require.Equal(t, int64(8), total)

	for cut := int64(1); cut <= total; cut++ {
		var d *disk
		d = newDisk(t, 1, Options{AfterOp: func(errorfs.Op) {
			if d.MutatingOps() == cut {
				d.PowerLoss(Honest)
				panic(powerCut{})
			}
		}})
		func() {
			defer func() {
				if r := recover(); r != nil {
					require.Equal(t, powerCut{}, r)
				}
			}()
			path(d)
		}()
		// After the cut the disk still works, and "cur" exists only once
		// the rename and its directory sync both completed.
		require.Equal(t, cut == total, exists(d, "db/cur"), "cut after op %d", cut)
		if exists(d, "db/tmp") {
			require.Equal(t, "v1", string(readFile(t, d, "db/tmp")))
		}
		writeFile(t, d, "after", []byte("ok"), true)
	}
}

func TestOpenMissingFileIsNotExist(t *testing.T) {
	d := newDisk(t, 1, Options{})
	_, err := d.Open("nope")
	require.True(t, oserror.IsNotExist(err))
	_, err = d.Stat("a/b/c")
	require.True(t, oserror.IsNotExist(err))
	_, err = d.List("nope")
	require.True(t, oserror.IsNotExist(err))
}
