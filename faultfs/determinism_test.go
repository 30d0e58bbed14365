package faultfs

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/monsim/monsim/internal/rng"
)

// chaosRun drives a disk through a random mix of operations and every kind
// of fault. The workload has its own stream; the disk draws from its own.
func chaosRun(t *testing.T, seed uint64) (digestHex string, faults []Fault, ops int64) {
	var charged int64
	d := newDisk(t, seed, Options{
		Charge:         func(ns int64) { charged += ns },
		SyncLatencyMin: 100, SyncLatencyMax: 10_000, OpNs: 3, WriteNsPerByte: 1,
		LyingWindow: 4,
	})
	w := rng.New(seed, "workload")
	files := []string{"a/x", "a/y", "b/z", "b/c/w", "top"}
	handles := map[string]vfs.File{}
	for step := range 600 {
		if step%100 == 0 {
			require.NoError(t, d.MkdirAll("a", 0o755))
			require.NoError(t, d.MkdirAll("b/c", 0o755))
			for _, dir := range []string{"/", "b"} {
				if f, err := d.OpenDir(dir); err == nil {
					_ = f.Sync()
				}
			}
		}
		name := files[w.Intn(len(files))]
		switch op := w.Intn(40); {
		case op == 0:
			_ = d.MkdirAll(d.PathDir(name), 0o755)
		case op < 5:
			if f, err := d.OpenReadWrite(name, vfs.WriteCategoryUnspecified); err == nil {
				handles[name] = f
			}
		case op < 20:
			if f := handles[name]; f != nil {
				st, err := f.Stat()
				if errors.Is(err, ErrStaleHandle) {
					delete(handles, name)
				}
				if err == nil {
					buf := make([]byte, 1+w.Intn(1500))
					for i := range buf {
						buf[i] = byte(step)
					}
					_, _ = f.WriteAt(buf, max(0, st.Size()-int64(w.Intn(100))))
				}
			}
		case op < 27:
			if f := handles[name]; f != nil {
				_ = f.Sync()
			}
		case op < 29:
			if dir, err := d.OpenDir(d.PathDir(name)); err == nil {
				_ = dir.Sync()
				_ = dir.Close()
			}
		case op == 29:
			_ = d.Rename(name, files[w.Intn(len(files))])
		case op == 30:
			_ = d.Remove(name)
		case op == 31:
			_ = d.Link(name, files[w.Intn(len(files))])
		case op == 32:
			d.ClearInjector()
		case op == 33:
			switch w.Intn(4) {
			case 0:
				d.PowerLoss(PowerMode(w.Intn(3)))
			case 1:
				d.Crash()
			case 2:
				d.Corrupt(CorruptKind(w.Intn(4)), "")
			case 3:
				d.SetInjector(d.EIO(OnAnyIO, "a/", 0.3))
			}
		default:
			if f := handles[name]; f != nil {
				_, _ = f.ReadAt(make([]byte, 100), int64(w.Intn(2000)))
			}
		}
	}
	d.ClearInjector()
	d.faults = append(d.faults, Fault{Kind: "charged", Len: charged})
	return digest(t, d), d.faults, d.MutatingOps()
}

func TestSameSeedGivesByteIdenticalTree(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		d1, f1, n1 := chaosRun(t, seed)
		d2, f2, n2 := chaosRun(t, seed)
		require.Equal(t, d1, d2, "seed %d", seed)
		require.Equal(t, f1, f2, "seed %d", seed)
		require.Equal(t, n1, n2, "seed %d", seed)
	}
}

func TestChaosRunsInjectEveryFaultKind(t *testing.T) {
	kinds := map[string]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		_, faults, _ := chaosRun(t, seed)
		for _, f := range faults {
			kinds[f.Kind] = true
		}
	}
	for _, k := range []string{"crash", "power-loss", "torn-write", "lying-loss", "corrupt/bit-flip", "eio/write", "eio/sync"} {
		require.True(t, kinds[k], "%s never happened: %v", k, kinds)
	}
}

func TestDifferentSeedsGiveDifferentTornOutcomes(t *testing.T) {
	outcomes := map[string]bool{}
	for seed := uint64(0); seed < 10; seed++ {
		d, _ := tornScenario(t, seed)
		outcomes[digest(t, d)] = true
	}
	require.Greater(t, len(outcomes), 1)

	chaos := map[string]bool{}
	for seed := uint64(1); seed <= 5; seed++ {
		dg, _, _ := chaosRun(t, seed)
		chaos[dg] = true
	}
	require.Len(t, chaos, 5, fmt.Sprint(chaos))
}
