package faultfs

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/monsim/monsim/internal/rng"
)

// appendsPerFile is how many appends, each followed by a Sync, one
// benchmark iteration makes into a fresh file.
const appendsPerFile = 256

// BenchmarkAppendSync compares faultfs with pebble's crashable MemFS on a
// log-like workload: create a file, append with a Sync after every write,
// close, remove. Compare with: benchstat -col /fs.
func BenchmarkAppendSync(b *testing.B) {
	for _, size := range []int{4096, 128} {
		for _, fsName := range []string{"memfs", "faultfs"} {
			b.Run(fmt.Sprintf("append=%dB/fs=%s", size, fsName), func(b *testing.B) {
				var fs vfs.FS
				if fsName == "memfs" {
					fs = vfs.NewCrashableMem()
				} else {
					fs = New(Options{Rand: rng.New(1, "bench")})
				}
				benchAppendSync(b, fs, size)
			})
		}
	}
}

func benchAppendSync(b *testing.B, fs vfs.FS, size int) {
	buf := make([]byte, size)
	b.SetBytes(int64(size * appendsPerFile))
	b.ReportAllocs()
	for b.Loop() {
		f, err := fs.Create("log", vfs.WriteCategoryUnspecified)
		if err != nil {
			b.Fatal(err)
		}
		for range appendsPerFile {
			// MemFS may scramble the buffer under -race: refill it.
			buf[0] = 1
			if _, err := f.Write(buf); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err := fs.Remove("log"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogAppend is one operation of a store's log on the hot path: a
// 128-byte append followed by a Sync, into a file that is rotated every
// 1024 appends like a log segment (the rotation's create and remove are
// part of the cost, spread over its appends).
func BenchmarkLogAppend(b *testing.B) {
	fs := New(Options{Rand: rng.New(1, "bench")})
	buf := make([]byte, 128)
	var f vfs.File
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		if n%1024 == 0 {
			if f != nil {
				f.Close()
				fs.Remove("log")
			}
			var err error
			if f, err = fs.Create("log", vfs.WriteCategoryUnspecified); err != nil {
				b.Fatal(err)
			}
		}
		n++
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// A log append and its Sync allocate nothing per operation: the write is
// logged as a view of the page cache, and the cache and the log grow by
// doubling, so their occasional growth averages out below one allocation
// per append.
func TestLogAppendAllocatesNothingPerOperation(t *testing.T) {
	fs := New(Options{Rand: rng.New(1, "allocs")})
	f, err := fs.Create("log", vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 128)
	if n := testing.AllocsPerRun(4000, func() {
		if _, err := f.Write(buf); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("append and sync: %v allocations per operation", n)
	}
}
