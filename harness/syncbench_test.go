package harness

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// A resumed sync moves about the bytes of one uninterrupted copy; one
// started over moves those of both attempts, and takes longer.
func TestSyncBenchResumeSavesWhatRestartResends(t *testing.T) {
	whole := RunSyncBench(SyncBenchOptions{Seed: 1, Keys: 5000})
	require.Empty(t, whole.Violations)
	require.Positive(t, whole.InSync)
	cut := whole.Chunks * 9 / 10
	resumed := RunSyncBench(SyncBenchOptions{Seed: 1, Keys: 5000, CutAt: cut})
	restarted := RunSyncBench(SyncBenchOptions{Seed: 1, Keys: 5000, CutAt: cut, Restart: true})
	for _, r := range []SyncBenchResult{resumed, restarted} {
		require.Empty(t, r.Violations)
		require.Positive(t, r.InSync)
	}
	require.EqualValues(t, 1, resumed.Resumed)
	require.Zero(t, resumed.Resent)
	require.Positive(t, restarted.Resent)
	require.Less(t, resumed.Bytes, restarted.Bytes)
	require.Less(t, resumed.InSync, restarted.InSync)
	require.Less(t, resumed.Bytes, whole.Bytes*11/10, "a resume sends little beyond one copy")
}

// BenchmarkResumeVsRestart measures a full sync of a preloaded store of
// 10k, 100k and 300k config keys, uninterrupted, and cut off by a power loss
// at the requester after half, or nine tenths, of its snapshot chunks, then
// resumed or started over: the bytes of state the providers sent (every
// attempt counted), the bytes of keys written again, and the simulated
// time from the first sync start to in-sync. The figures are simulated and
// deterministic from the seed: run with -benchtime 1x (make bench-resume).
func BenchmarkResumeVsRestart(b *testing.B) {
	for _, keys := range []int{10_000, 100_000, 300_000} {
		chunks := 0 // of the uninterrupted sync, run first
		b.Run(fmt.Sprintf("keys=%d/uninterrupted", keys), func(b *testing.B) {
			chunks = reportSync(b, SyncBenchOptions{Seed: 1, Keys: keys}).Chunks
		})
		for _, pct := range []int{50, 90} {
			for _, restart := range []bool{false, true} {
				mode := "resume"
				if restart {
					mode = "restart"
				}
				b.Run(fmt.Sprintf("keys=%d/cut=%d%%/%s", keys, pct, mode), func(b *testing.B) {
					if chunks == 0 {
						b.Skip("needs the uninterrupted run's chunk count: include it in -bench")
					}
					reportSync(b, SyncBenchOptions{Seed: 1, Keys: keys, CutAt: max(1, chunks*pct/100), Restart: restart})
				})
			}
		}
	}
}

func reportSync(b *testing.B, o SyncBenchOptions) SyncBenchResult {
	var r SyncBenchResult
	for b.Loop() {
		r = RunSyncBench(o)
	}
	if len(r.Violations) > 0 || r.InSync == 0 {
		b.Fatalf("%+v: %v", o, r.Violations)
	}
	b.ReportMetric(float64(r.Bytes), "bytes-sent")
	b.ReportMetric(float64(r.Resent), "bytes-resent")
	b.ReportMetric(float64(r.InSync)/1e9, "sim-s-to-in-sync")
	b.ReportMetric(float64(r.Resumed), "resumed")
	return r
}
