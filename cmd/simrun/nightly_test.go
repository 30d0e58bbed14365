package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The nightly jobs call simrun with flags that exist, shard the seed space,
// render reports of failures and keep the corpus; the fuzz invocation they
// use really runs.
func TestNightlyJobsShardFuzzAndKeepFailures(t *testing.T) {
	for _, path := range []string{"../../.github/workflows/nightly.yml", "../../deploy/k8s/nightly-fuzz.yaml"} {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		s := string(b)
		require.Regexp(t, `fuzz -scenario all -duration "\$\w+" -base "\$BASE" \\\s+-shard "`, s, path)
		require.Contains(t, s, "-corpus", path)
		require.Regexp(t, `replay "\$f" -html`, s, path)
	}
	wf, _ := os.ReadFile("../../.github/workflows/nightly.yml")
	require.Contains(t, string(wf), "upload-artifact")
	require.Regexp(t, regexp.MustCompile(`shard: \[0, 1, 2, 3, 4, 5, 6, 7\]`), string(wf))
	k8s, _ := os.ReadFile("../../deploy/k8s/nightly-fuzz.yaml")
	require.Contains(t, string(k8s), "completionMode: Indexed")
	require.Contains(t, string(k8s), `-shard "$JOB_COMPLETION_INDEX/$SHARDS"`)

	// The same invocation, briefly.
	code, out, _ := simrun(t, "fuzz", "-scenario", "all", "-duration", "1s", "-base", "20261122000000", "-shard", "3/8", "-corpus", t.TempDir(), "-json")
	require.Equal(t, exitPass, code, out)
	require.True(t, strings.Contains(out, `"type":"summary"`), out)
}
