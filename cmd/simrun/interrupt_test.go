package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/monsim/monsim/internal/seedfile"
	"github.com/stretchr/testify/require"
)

// SIGINT during a fuzz campaign stops the workers, keeps every failure it
// saved (each a complete file) and prints the summary so far.
func TestInterruptedFuzzKeepsFailuresAndSummarises(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := simrunBinary(t)
	corpus := filepath.Join(dir, "corpus")
	cmd := exec.Command(bin, "fuzz", "-bug", "recent-off-by-one", "-duration", "5m", "-workers", "2", "-corpus", corpus)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	// Wait for a saved failure, then interrupt.
	deadline := time.Now().Add(60 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(corpus, "*.json"))
		if len(files) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, out.String())
	require.Equal(t, exitViolation, exit.ExitCode(), out.String())
	require.Contains(t, out.String(), "interrupted")
	require.Contains(t, out.String(), "lagging ") // the summary row
	entries, err := os.ReadDir(corpus)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		require.False(t, strings.Contains(e.Name(), ".tmp"), "a temp file was left: %s", e.Name())
		_, err := seedfile.Read(filepath.Join(corpus, e.Name()))
		require.NoError(t, err, "a saved failure is not a complete seed file")
	}
}
