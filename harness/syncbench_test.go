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

// BenchmarkResumeVsRestart measures a full sync of a preloaded store cut
// off by a power loss at the requester after half, or nine tenths, of its
// snapshot chunks, then resumed or started over: the bytes the providers
// sent, what was sent again, and the simulated time from the first sync
// start to in-sync. Each run is one deterministic seed.
func BenchmarkResumeVsRestart(b *testing.B) {
	for _, keys := range []int{10_000, 100_000, 300_000} {
		whole := RunSyncBench(SyncBenchOptions{Seed: 1, Keys: keys})
		if len(whole.Violations) > 0 || whole.InSync == 0 {
			b.Fatalf("%d keys, uninterrupted: %v", keys, whole.Violations)
		}
		b.Run(fmt.Sprintf("keys=%d/uninterrupted", keys), func(b *testing.B) { report(b, SyncBenchOptions{Seed: 1, Keys: keys}) })
		for _, pct := range []int{50, 90} {
			for _, restart := range []bool{false, true} {
				mode := "resume"
				if restart {
					mode = "restart"
				}
				o := SyncBenchOptions{Seed: 1, Keys: keys, CutAt: max(1, whole.Chunks*pct/100), Restart: restart}
				b.Run(fmt.Sprintf("keys=%d/cut=%d%%/%s", keys, pct, mode), func(b *testing.B) { report(b, o) })
			}
		}
	}
}

func report(b *testing.B, o SyncBenchOptions) {
	var r SyncBenchResult
	for b.Loop() {
		r = RunSyncBench(o)
	}
	if len(r.Violations) > 0 || r.InSync == 0 {
		b.Fatalf("%+v: %v", o, r.Violations)
	}
	b.ReportMetric(float64(r.Bytes)/1e6, "MB-sent")
	b.ReportMetric(float64(r.Resent)/1e6, "MB-resent")
	b.ReportMetric(float64(r.InSync)/1e9, "sim-s-to-in-sync")
}
