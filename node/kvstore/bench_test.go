package kvstore

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
)

// BenchmarkCommit measures small batches (3 puts of 100-byte values over a
// working set of 3000 keys) with the default checkpoint options, so the
// cost of L1 and L2 checkpoints is included. commits/s is 1e9 / ns/op.
func BenchmarkCommit(b *testing.B) {
	disks := []struct {
		name string
		fs   func() vfs.FS
	}{
		{"memfs", func() vfs.FS { return vfs.NewMem() }},
		{"faultfs", func() vfs.FS { return faultfs.New(faultfs.Options{Rand: rng.New(1, "disk")}) }},
	}
	for _, disk := range disks {
		for _, sync := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/sync=%v", disk.name, sync), func(b *testing.B) {
				s, err := Open(disk.fs(), testDir, Options{})
				if err != nil {
					b.Fatal(err)
				}
				value := make([]byte, 100)
				n := 0
				for b.Loop() {
					var batch Batch
					for j := range 3 {
						batch.Put(fmt.Sprintf("key/%04d", (3*n+j)%3000), value)
					}
					if err := s.Apply(&batch, sync); err != nil {
						b.Fatal(err)
					}
					n++
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "commits/s")
				s.Close()
			})
		}
	}
}
