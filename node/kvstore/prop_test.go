package kvstore

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"strings"
	"syscall"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
)

// cutPower unwinds whatever the store was doing when power is cut after a
// chosen filesystem operation.
type cutPower struct{}

// harness drives a store on a faultfs disk against a model: states[i] is
// the state after batch i, and a recovered store must hold exactly
// states[Seq()], with Seq() between what must have survived and what may
// have.
type harness struct {
	t     *rapid.T
	fs    *faultfs.FS
	opts  Options
	s     *Store // nil while closed or crashed
	p     progress
	eio   float64 // chance of EIO on each store write and sync, when armed
	cutIn int     // cut power after this many more mutating ops; 0: not armed

	onFault func(faultfs.Fault) // sees every fault the disk reports, if set

	inFlight bool // a batch's Apply did not return nil: it may or may not be there
	lost     bool // a power loss happened since the last open: unsynced batches may be gone
}

func newHarness(t *rapid.T) *harness {
	h := &harness{t: t, p: progress{states: []map[string]string{{}}}}
	h.fs = faultfs.New(faultfs.Options{
		Rand:    rng.New(rapid.Uint64().Draw(t, "seed"), "disk"),
		AfterOp: h.afterOp,
		OnFault: func(f faultfs.Fault) {
			if h.onFault != nil {
				h.onFault(f)
			}
		},
	})
	h.opts = Options{
		L1Every:      rapid.IntRange(-1, 6).Draw(t, "L1Every"),
		L2Every:      rapid.IntRange(1, 12).Draw(t, "L2Every"),
		SegmentBytes: rapid.Int64Range(200, 8000).Draw(t, "SegmentBytes"),
	}
	return h
}

func (h *harness) afterOp(errorfs.Op) {
	if h.cutIn > 0 {
		h.cutIn--
		if h.cutIn == 0 {
			panic(cutPower{})
		}
	}
}

// guarded runs fn and reports whether power was cut during it.
func guarded(fn func()) (cut bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(cutPower); !ok {
				panic(r)
			}
			cut = true
		}
	}()
	fn()
	return false
}

// drawBatch builds a random batch and the model state after it.
func (h *harness) drawBatch() (*Batch, map[string]string) {
	keys := []string{"a/1", "a/2", "a/3", "b/1", "b/2", "c"}
	next := maps.Clone(h.p.states[len(h.p.states)-1])
	var b Batch
	for i := range rapid.IntRange(0, 4).Draw(h.t, "ops") {
		key := rapid.SampledFrom(keys).Draw(h.t, "key")
		switch kind := rapid.IntRange(0, 9).Draw(h.t, "kind"); {
		case kind < 7:
			n := rapid.IntRange(0, 1500).Draw(h.t, "len")
			v := fmt.Sprintf("%d.%d:%s", len(h.p.states), i, bytes.Repeat([]byte{'x'}, n))
			b.Put(key, []byte(v))
			next[key] = v
		case kind < 9:
			b.Delete(key)
			delete(next, key)
		default:
			prefix := rapid.SampledFrom([]string{"a/", "b/", ""}).Draw(h.t, "prefix")
			b.DeletePrefix(prefix)
			maps.DeleteFunc(next, func(k, _ string) bool { return strings.HasPrefix(k, prefix) })
		}
	}
	return &b, next
}

func (h *harness) apply() {
	b, next := h.drawBatch()
	sync := rapid.Bool().Draw(h.t, "sync")
	h.p.states = append(h.p.states, next)
	var err error
	if guarded(func() { err = h.s.Apply(b, sync) }) {
		h.inFlight = true
		h.fault()
		return
	}
	if err != nil {
		require.ErrorIs(h.t, err, syscall.EIO)
		var ioe *IOError
		require.ErrorAs(h.t, err, &ioe)
		require.ErrorIs(h.t, h.s.Apply(&Batch{}, false), ErrPoisoned, "a failed write poisons the store")
		h.inFlight = true
		h.s.Close()
		h.s = nil
		if rapid.Bool().Draw(h.t, "fault after error") {
			h.fault()
		} else {
			h.reopen()
		}
		return
	}
	h.p.applied = len(h.p.states) - 1
	if sync {
		h.p.synced = h.p.applied
	}
}

// fault crashes the process or cuts power, then reopens.
func (h *harness) fault() {
	h.s = nil
	switch rapid.IntRange(0, 2).Draw(h.t, "fault") {
	case 0:
		h.fs.Crash()
	case 1:
		h.fs.PowerLoss(faultfs.Honest)
		h.lost = true
	default:
		h.fs.PowerLoss(faultfs.Torn)
		h.lost = true
	}
	h.reopen()
}

// reopen opens the store, retrying through injected errors and cuts, and
// checks the recovered state against the model.
func (h *harness) reopen() {
	var err error
	for attempt := 0; ; attempt++ {
		if attempt == 3 {
			h.fs.ClearInjector()
		}
		if guarded(func() { h.s, err = Open(h.fs, testDir, h.opts) }) {
			h.fault()
			return
		}
		if err == nil {
			break
		}
		require.NotErrorIs(h.t, err, ErrCorrupt, "crashes, power losses and I/O errors are never corruption")
		require.ErrorIs(h.t, err, syscall.EIO)
	}
	h.armEIO()
	lo, hi := h.p.applied, h.p.applied
	if h.lost {
		lo = h.p.synced
	}
	if h.inFlight {
		hi++
	}
	k := int(h.s.Seq())
	require.GreaterOrEqual(h.t, k, lo, "a batch that had to survive was lost")
	require.LessOrEqual(h.t, k, hi, "a batch that was never applied appeared")
	require.Equal(h.t, h.p.states[k], contents(h.s), "recovered seq %d with the wrong state", k)
	// Recovery checkpointed what it found: that is now durable.
	h.p.states = h.p.states[:k+1]
	h.p.applied, h.p.synced = k, k
	h.inFlight, h.lost = false, false
}

func (h *harness) armEIO() {
	if h.eio > 0 {
		h.fs.SetInjector(h.fs.EIO(faultfs.OnWrite|faultfs.OnSync, testDir, h.eio))
	}
}

func TestPropertyCrashesNeverLoseSyncedBatchesNorExposePartialOnes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := newHarness(t)
		if rapid.Bool().Draw(t, "inject EIO") {
			h.eio = rapid.Float64Range(0.001, 0.05).Draw(t, "eio")
		}
		h.reopen()
		for range rapid.IntRange(1, 60).Draw(t, "steps") {
			switch rapid.IntRange(0, 19).Draw(t, "action") {
			case 0:
				h.fault()
			case 1:
				h.cutIn = rapid.IntRange(1, 40).Draw(t, "cut after ops")
			case 2:
				require.NoError(t, h.s.Close())
				h.s = nil
				h.reopen()
			default:
				h.apply()
			}
		}
		h.cutIn = 0
		h.fault()
	})
}

// mayLookLikeATear reports damage that can produce exactly what a tear
// produces (doc.go, "What is not detected"): a truncated segment, a zeroed
// or misdirected sector that reaches the segment's end, or two faults in
// one segment (they can conspire, e.g. a length field enlarged past the
// end plus a damaged trailer, with the segment ending on a sector
// boundary). Recovery then yields a valid but older state, so only for
// these is losing synced batches allowed.
func mayLookLikeATear(fs *faultfs.FS, faults []faultfs.Fault) bool {
	perSegment := map[string]int{}
	for _, f := range faults {
		if !strings.HasPrefix(f.Path, testDir+"/"+logPrefix) {
			continue
		}
		if perSegment[f.Path]++; perSegment[f.Path] > 1 {
			return true
		}
		if f.Kind == "corrupt/truncate" {
			return true
		}
		info, err := fs.Stat(f.Path)
		if err == nil && f.Off+f.Len >= info.Size() &&
			(f.Kind == "corrupt/zero-sector" || f.Kind == "corrupt/misdirect") {
			return true
		}
	}
	return false
}

func TestPropertyCorruptionIsReportedOrYieldsAValidPrefix(t *testing.T) {
	kinds := []faultfs.CorruptKind{faultfs.BitFlip, faultfs.ZeroSector, faultfs.Truncate, faultfs.Misdirect}
	targets := []string{testDir + "/" + logPrefix, testDir + "/" + ckptPrefix, testDir + "/" + manifestName, testDir + "/"}
	rapid.Check(t, func(t *rapid.T) {
		h := newHarness(t)
		h.reopen()
		for range rapid.IntRange(1, 40).Draw(t, "batches") {
			h.apply()
		}
		h.s = nil
		var damage []faultfs.Fault
		h.onFault = func(f faultfs.Fault) {
			// Tears of unsynced writes are not damage; lying losses of
			// synced ones and corruption are.
			if f.Kind == "lying-loss" || f.Kind == "lying-torn" || strings.HasPrefix(f.Kind, "corrupt/") {
				damage = append(damage, f)
			}
		}
		if rapid.Bool().Draw(t, "lying power loss") {
			// A lying disk loses older synced writes behind newer ones.
			h.fs.PowerLoss(faultfs.Lying)
		} else {
			h.fs.PowerLoss(faultfs.Honest)
		}
		for range rapid.IntRange(0, 2).Draw(t, "corruptions") {
			h.fs.Corrupt(rapid.SampledFrom(kinds).Draw(t, "kind"), rapid.SampledFrom(targets).Draw(t, "target"))
		}
		h.onFault = nil
		tearLike := mayLookLikeATear(h.fs, damage) // before Open replaces the files

		s, err := Open(h.fs, testDir, h.opts)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt, "damage is reported as corruption, got %v", err)
			var ce *CorruptionError
			require.True(t, errors.As(err, &ce))
			require.NotEmpty(t, damage, "corruption reported with no damage: %v", err)
			return
		}
		k := int(s.Seq())
		require.LessOrEqual(t, k, h.p.applied)
		require.Equal(t, h.p.states[k], contents(s), "seq %d with damaged data", k)
		if !tearLike {
			require.GreaterOrEqual(t, k, h.p.synced, "synced batches lost to detectable damage %v", damage)
		}
	})
}
