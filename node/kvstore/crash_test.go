package kvstore

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
)

// progress is what a workload has done so far, for checking a recovery.
type progress struct {
	states  []map[string]string // states[i] is the model state after batch i
	synced  int                 // last batch whose synced Apply returned
	applied int                 // last batch whose Apply returned
}

// requirePrefixState checks that r holds the model state after some batch
// k with lo <= k <= hi: nothing synced lost, nothing partial exposed.
func requirePrefixState(t testing.TB, r *Store, p *progress, lo, hi int) {
	t.Helper()
	got := contents(r)
	for k := lo; k <= hi && k < len(p.states); k++ {
		if fmt.Sprint(got) == fmt.Sprint(p.states[k]) {
			return
		}
	}
	t.Fatalf("recovered state %v matches no model state after batch %d..%d (seq %d)", got, lo, hi, r.Seq())
}

// crashWorkload opens a store, applies batches with small checkpoint
// intervals so every kind of step happens, and reopens once midway.
func crashWorkload(fs vfs.FS, point func(Point), p *progress) {
	opts := Options{L1Every: 2, L2Every: 5, SegmentBytes: 300, Point: point}
	p.states = []map[string]string{{}}
	s, err := Open(fs, testDir, opts)
	if err != nil {
		panic(err)
	}
	model := map[string]string{}
	for i := 1; i <= 14; i++ {
		if i == 8 {
			s.Close()
			if s, err = Open(fs, testDir, opts); err != nil {
				panic(err)
			}
		}
		var b Batch
		k := fmt.Sprintf("k%d", i%5)
		if i%6 == 0 {
			b.DeletePrefix("k")
			for k := range model {
				if strings.HasPrefix(k, "k") {
					delete(model, k)
				}
			}
		} else {
			b.Put(k, []byte(fmt.Sprintf("v%d-%s", i, string(make([]byte, 10*i)))))
			b.Put("last", []byte(k))
			model[k] = fmt.Sprintf("v%d-%s", i, string(make([]byte, 10*i)))
			model["last"] = k
		}
		next := map[string]string{}
		for k, v := range model {
			next[k] = v
		}
		p.states = append(p.states, next)
		sync := i%3 == 0
		if err := s.Apply(&b, sync); err != nil {
			panic(err)
		}
		p.applied = i
		if sync {
			p.synced = i
		}
	}
	s.Close()
}

type powerCut struct{ at Point }

func TestPowerCutAtEveryPointKeepsSyncedBatches(t *testing.T) {
	var points []Point
	crashWorkload(vfs.NewMem(), func(name Point) { points = append(points, name) }, &progress{})
	require.Greater(t, len(points), 50)
	require.ElementsMatch(t, Points(), slices.Compact(slices.Sorted(slices.Values(points))),
		"Points() must list exactly the points the store passes")

	for i, name := range points {
		for _, mode := range []string{"process-crash", "power-loss"} {
			t.Run(fmt.Sprintf("%03d-%s-%s", i, name, mode), func(t *testing.T) {
				fs := vfs.NewCrashableMem()
				p := &progress{}
				calls := 0
				func() {
					defer func() {
						r := recover()
						if _, ok := r.(powerCut); !ok {
							panic(r)
						}
					}()
					crashWorkload(fs, func(name Point) {
						if calls == i {
							panic(powerCut{name})
						}
						calls++
					}, p)
				}()
				after := fs
				if mode == "power-loss" {
					after = fs.CrashClone(vfs.CrashCloneCfg{}) // exactly the synced state
				}
				s, err := Open(after, testDir, Options{})
				require.NoError(t, err)
				// The batch in flight at the cut may or may not have landed.
				lo := p.synced
				if mode == "process-crash" {
					lo = p.applied
				}
				requirePrefixState(t, s, p, lo, p.applied+1)
			})
		}
	}
}
