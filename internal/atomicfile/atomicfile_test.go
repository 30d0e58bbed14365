package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNothingIsVisibleBeforeCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.Write([]byte("new"))
	require.NoError(t, err)
	got, _ := os.ReadFile(path)
	require.Equal(t, "old", string(got), "the old file stays until Commit")
	require.NoError(t, f.Commit())
	got, _ = os.ReadFile(path)
	require.Equal(t, "new", string(got))
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), info.Mode().Perm())
	require.Error(t, f.Commit(), "a second commit is refused")
	ents, _ := os.ReadDir(dir)
	require.Len(t, ents, 1, "no temp file left")
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "out"))
	require.NoError(t, err)
	_, _ = f.Write([]byte("partial"))
	f.Abort()
	f.Abort()
	ents, _ := os.ReadDir(dir)
	require.Empty(t, ents)
}

func TestWriteIntoAMissingDirectoryFails(t *testing.T) {
	require.Error(t, Write(filepath.Join(t.TempDir(), "no", "such", "dir", "f"), []byte("x")))
}
