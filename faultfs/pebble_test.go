package faultfs

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/stretchr/testify/require"
)

// These tests give faultfs to a real Pebble DB: an outside witness that the
// disk keeps what it promises and that its damage is the kind a careful
// store detects.

const pebbleDir = "db"

// pebbleLogger records fatal errors instead of exiting the process, and
// ends the goroutine that reported one. It also records the corruption
// pebble detects in the background, which by default it would turn into a
// fatal error: here detection is the expected outcome.
type pebbleLogger struct {
	mu          sync.Mutex
	fatals      []string
	corruptions []string
}

func (l *pebbleLogger) dataCorruption(info pebble.DataCorruptionInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.corruptions = append(l.corruptions, info.String())
}

func (l *pebbleLogger) Corruptions() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.corruptions...)
}

func (l *pebbleLogger) Infof(string, ...any)  {}
func (l *pebbleLogger) Errorf(string, ...any) {}
func (l *pebbleLogger) Fatalf(format string, args ...any) {
	l.mu.Lock()
	l.fatals = append(l.fatals, fmt.Sprintf(format, args...))
	l.mu.Unlock()
	runtime.Goexit()
}

func (l *pebbleLogger) Fatals() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.fatals...)
}

func pebbleOptions(fs *lockedFS, log *pebbleLogger) *pebble.Options {
	return &pebble.Options{
		FS:                    fs,
		Logger:                log,
		MemTableSize:          64 << 10,
		L0CompactionThreshold: 2,
		LBaseMaxBytes:         256 << 10,
		EventListener:         &pebble.EventListener{DataCorruption: log.dataCorruption},
	}
}

// outcome is how a bounded call ended.
type outcome struct {
	err   error
	panic any // non-nil: it panicked
	stack string
}

// bounded runs fn in its own goroutine and fails the test if it does not
// finish in time. A panic is recovered and reported as the outcome.
func bounded(t *testing.T, what string, fn func() error) outcome {
	t.Helper()
	done := make(chan outcome, 1)
	go func() {
		finished := false
		defer func() {
			if finished {
				return
			}
			r := recover()
			if r == nil {
				r = "goroutine exited"
			}
			done <- outcome{panic: r, stack: string(debug.Stack())}
		}()
		err := fn()
		finished = true
		done <- outcome{err: err}
	}()
	select {
	case o := <-done:
		return o
	case <-time.After(20 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("%s did not finish within 20s\n%s", what, buf[:runtime.Stack(buf, true)])
		return outcome{}
	}
}

func pebbleValue(i int) []byte {
	return bytes.Repeat([]byte{byte('a' + i%26)}, 300+i%500)
}

// fillPebble opens a DB on a fresh disk, commits keys with pebble.Sync
// (enough to flush memtables into sstables and rewrite the manifest), then
// more without syncing, and leaves the DB open. It returns the synced keys.
func fillPebble(t *testing.T, d *disk, lfs *lockedFS, log *pebbleLogger, synced int) (*pebble.DB, map[string][]byte) {
	var db *pebble.DB
	o := bounded(t, "open", func() (err error) {
		db, err = pebble.Open(pebbleDir, pebbleOptions(lfs, log))
		return err
	})
	require.Nil(t, o.panic, o.stack)
	require.NoError(t, o.err)
	want := map[string][]byte{}
	o = bounded(t, "fill", func() error {
		for i := range synced + 50 {
			key, opts := fmt.Sprintf("key-%05d", i), pebble.Sync
			if i >= synced {
				opts = pebble.NoSync
			}
			if err := db.Set([]byte(key), pebbleValue(i), opts); err != nil {
				return err
			}
			if i < synced {
				want[key] = pebbleValue(i)
			}
			if i%150 == 149 {
				if err := db.Flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	require.Nil(t, o.panic, o.stack)
	require.NoError(t, o.err)
	lfs.Do(func(fs *FS) {
		names, err := fs.List(pebbleDir)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, ".sst") }),
			"the workload must reach sstables: %v", names)
	})
	return db, want
}

// cutPower applies fault to the disk with no pebble goroutine inside it,
// then closes the old DB against the unplugged wrapper.
func cutPower(t *testing.T, db *pebble.DB, lfs *lockedFS, fault func()) {
	lfs.CutPower(fault)
	o := bounded(t, "close after power cut", db.Close)
	require.Nil(t, o.panic, o.stack)
}

// reopen opens the DB again on a fresh wrapper.
func reopen(t *testing.T, lfs *lockedFS, log *pebbleLogger) (*pebble.DB, outcome) {
	var db *pebble.DB
	o := bounded(t, "reopen", func() (err error) {
		db, err = pebble.Open(pebbleDir, pebbleOptions(lfs.reconnect(), log))
		return err
	})
	return db, o
}

func requireSyncedKeys(t *testing.T, db *pebble.DB, want map[string][]byte) {
	o := bounded(t, "read", func() error {
		for key, val := range want {
			got, closer, err := db.Get([]byte(key))
			if err != nil {
				return fmt.Errorf("get %s: %w", key, err)
			}
			if !bytes.Equal(got, val) {
				closer.Close()
				return fmt.Errorf("key %s: wrong value of %d bytes", key, len(got))
			}
			closer.Close()
		}
		return nil
	})
	require.Nil(t, o.panic, o.stack)
	require.NoError(t, o.err)
}

func closeDB(t *testing.T, db *pebble.DB) {
	o := bounded(t, "close", db.Close)
	require.Nil(t, o.panic, o.stack)
	require.NoError(t, o.err)
}

func testPebbleKeepsSyncedKeys(t *testing.T, mode PowerMode) {
	for seed := uint64(1); seed <= 5; seed++ {
		d := newDisk(t, seed, Options{})
		lfs, log := newLockedFS(d.FS), &pebbleLogger{}
		db, want := fillPebble(t, d, lfs, log, 400)
		cutPower(t, db, lfs, func() { d.PowerLoss(mode) })

		db, o := reopen(t, lfs, log)
		require.Nil(t, o.panic, o.stack)
		require.NoError(t, o.err, "seed %d", seed)
		requireSyncedKeys(t, db, want)
		closeDB(t, db)
		require.Empty(t, log.Fatals())
	}
}

func TestPebbleKeepsSyncedKeysAfterHonestPowerLoss(t *testing.T) {
	testPebbleKeepsSyncedKeys(t, Honest)
}

func TestPebbleKeepsSyncedKeysAfterTornPowerLoss(t *testing.T) {
	testPebbleKeepsSyncedKeys(t, Torn)
}

// detectedByPebble reports whether an open error is pebble saying its data
// is damaged: its corruption error, or the consistency check that compares
// sstable sizes with the MANIFEST (pebble v2.1.7 does not mark that one as
// corruption).
func detectedByPebble(err error) bool {
	return pebble.IsCorruptionError(err) || strings.Contains(err.Error(), "object size mismatch")
}

// requireOpensOrReportsCorruption reopens the DB after damage: it must
// either open, and then read every key without panicking (errors are
// fine), or fail with pebble's own corruption error. It never hangs.
func requireOpensOrReportsCorruption(t *testing.T, lfs *lockedFS, log *pebbleLogger, label string) (opened bool) {
	db, o := reopen(t, lfs, log)
	require.Nil(t, o.panic, "%s: open panicked: %v\n%s", label, o.panic, o.stack)
	if o.err != nil {
		require.True(t, detectedByPebble(o.err), "%s: open failed without a corruption error: %v", label, o.err)
		return false
	}
	r := bounded(t, "scan", func() error {
		it, err := db.NewIter(nil)
		if err != nil {
			return err
		}
		for it.First(); it.Valid(); it.Next() {
			_ = it.Value()
		}
		return it.Close()
	})
	require.Nil(t, r.panic, "%s: scan panicked: %v\n%s", label, r.panic, r.stack)
	c := bounded(t, "close", db.Close)
	require.Nil(t, c.panic, "%s: close panicked: %v\n%s", label, c.panic, c.stack)
	return true
}

func TestPebbleSurvivesOrDetectsLyingPowerLoss(t *testing.T) {
	damaged := 0
	for seed := uint64(1); seed <= 8; seed++ {
		d := newDisk(t, seed, Options{})
		lfs, log := newLockedFS(d.FS), &pebbleLogger{}
		db, _ := fillPebble(t, d, lfs, log, 250)
		cutPower(t, db, lfs, func() { d.PowerLoss(Lying) })
		lost := d.faultsOf("lying-loss")
		damaged += len(lost)
		label := fmt.Sprintf("lying seed %d: %v", seed, lost)
		opened := requireOpensOrReportsCorruption(t, lfs, log, label)
		t.Logf("%s: opened=%v background-corruption=%d", label, opened, len(log.Corruptions()))
		require.Empty(t, log.Fatals())
	}
	require.Positive(t, damaged, "a lying disk must lose synced writes")
}

func TestPebbleSurvivesOrDetectsCorruption(t *testing.T) {
	for _, kind := range []CorruptKind{BitFlip, ZeroSector, Truncate, Misdirect} {
		t.Run(kind.String(), func(t *testing.T) {
			for seed := uint64(1); seed <= 8; seed++ {
				d := newDisk(t, seed, Options{})
				lfs, log := newLockedFS(d.FS), &pebbleLogger{}
				db, _ := fillPebble(t, d, lfs, log, 250)
				var f Fault
				var ok bool
				cutPower(t, db, lfs, func() {
					d.PowerLoss(Honest)
					f, ok = d.Corrupt(kind, pebbleDir+"/")
				})
				require.True(t, ok)
				label := fmt.Sprintf("%s seed %d: %s %s@%d+%d", kind, seed, f.Detail, f.Path, f.Off, f.Len)
				opened := requireOpensOrReportsCorruption(t, lfs, log, label)
				t.Logf("%s: opened=%v background-corruption=%d", label, opened, len(log.Corruptions()))
				require.Empty(t, log.Fatals())
			}
		})
	}
}
