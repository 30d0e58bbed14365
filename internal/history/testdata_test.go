package history

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// generous: these histories are decided in well under a second each, but
// the race detector and a busy machine slow porcupine down many times.
const generous = 5 * time.Minute

// porcupineTestData is porcupine's module directory's test_data, or skips.
func porcupineTestData(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/anishathalye/porcupine").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("porcupine's module directory is not available (go list: %v)", err)
	}
	data := filepath.Join(dir, "test_data")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("porcupine's test data is not available: %v", err)
	}
	return data
}

// etcdLinearizable are the etcd Jepsen logs that porcupine_test.go
// (v1.3.1) checks as linearizable; it checks all others of 000..102 as not,
// except 095, which is empty (the etcd cluster failed to start).
var etcdLinearizable = map[int]bool{
	2: true, 5: true, 7: true, 18: true, 25: true, 31: true, 38: true, 45: true,
	48: true, 49: true, 51: true, 53: true, 56: true, 67: true, 75: true, 76: true,
	80: true, 87: true, 92: true, 98: true, 100: true, 101: true, 102: true,
}

func TestPorcupineEtcdJepsenLogsGivePorcupinesVerdicts(t *testing.T) {
	dir := porcupineTestData(t)
	for n := 0; n <= 102; n++ {
		path := filepath.Join(dir, "jepsen", fmt.Sprintf("etcd_%03d.log", n))
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		res, err := Check(data, generous)
		if n == 95 {
			require.ErrorIs(t, err, ErrUnknownFormat, "the empty log holds no history")
			continue
		}
		require.NoError(t, err, path)
		require.Equal(t, FormatJepsenLog, res.Format)
		want := VerdictNotLinearizable
		if etcdLinearizable[n] {
			want = VerdictLinearizable
		}
		require.Equal(t, want, res.Verdict, "%s: %s", path, res.Detail)
		if want == VerdictNotLinearizable {
			require.True(t, strings.HasPrefix(res.Detail, "the register: no order"), res.Detail)
		}
	}
}

// The kv histories are get/put/append by key. c50-bad takes about 10 s
// more than the others: after the verdict, two of its keys stay undecided
// until the 10 s bound on pinning the failure to a key.
func TestPorcupineKVHistoriesGiveTheirVerdicts(t *testing.T) {
	dir := porcupineTestData(t)
	paths, err := filepath.Glob(filepath.Join(dir, "kv", "c*-*.txt"))
	require.NoError(t, err)
	require.Len(t, paths, 6)
	for _, path := range paths {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		res, err := Check(data, generous)
		require.NoError(t, err, path)
		require.Equal(t, FormatJepsenEDN, res.Format)
		if strings.HasSuffix(path, "-ok.txt") {
			require.Equal(t, VerdictLinearizable, res.Verdict, path)
			continue
		}
		require.Equal(t, VerdictNotLinearizable, res.Verdict, path)
		require.Regexp(t, `^key "\d+": no order of its \d+ ops is legal .*; first op no order reaches: process \d+ get\(`, res.Detail)
	}
}
