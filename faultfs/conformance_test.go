package faultfs

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/errors/oserror"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// normalizeError maps an error to what both file systems must agree on, as
// pebble's own vfs tests do.
func normalizeError(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, io.EOF):
		return "eof"
	case oserror.IsExist(err):
		return "exist"
	case oserror.IsNotExist(err):
		return "notexist"
	}
	return "error"
}

// vfsHarness runs textual steps against one vfs.FS and describes results.
// Handles are named by the path they were opened with.
type vfsHarness struct {
	fs    vfs.FS
	files map[string]vfs.File
	locks map[string]io.Closer
}

func newHarness(fs vfs.FS) *vfsHarness {
	return &vfsHarness{fs: fs, files: map[string]vfs.File{}, locks: map[string]io.Closer{}}
}

func (h *vfsHarness) open(name string, f vfs.File, err error) string {
	if err == nil {
		if old := h.files[name]; old != nil {
			_ = old.Close()
		}
		h.files[name] = f
	}
	return normalizeError(err)
}

func (h *vfsHarness) do(step string) string {
	args := strings.Fields(step)
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	fs, a, b := h.fs, arg(1), arg(2)
	var out string
	switch args[0] {
	case "create":
		f, err := fs.Create(a, vfs.WriteCategoryUnspecified)
		out = h.open(a, f, err)
	case "open":
		f, err := fs.Open(a)
		out = h.open(a, f, err)
	case "openrw":
		f, err := fs.OpenReadWrite(a, vfs.WriteCategoryUnspecified)
		out = h.open(a, f, err)
	case "opendir":
		f, err := fs.OpenDir(a)
		out = h.open(a, f, err)
	case "reuse":
		f, err := fs.ReuseForWrite(a, b, vfs.WriteCategoryUnspecified)
		out = h.open(b, f, err)
	case "close":
		if f := h.files[a]; f != nil {
			delete(h.files, a)
			out = normalizeError(f.Close())
		}
	case "write", "writeat", "read", "readat", "sync", "fstat":
		f := h.files[a]
		if f == nil {
			return step + ": no handle"
		}
		out = h.fileOp(f, args[0], args[2:])
	case "stat":
		st, err := fs.Stat(a)
		out = normalizeError(err)
		if err == nil {
			out += fmt.Sprintf(" name=%s size=%d dir=%v", st.Name(), st.Size(), st.IsDir())
		}
	case "list":
		names, err := fs.List(a)
		slices.Sort(names) // MemFS lists in map order
		out = fmt.Sprintf("%s %v", normalizeError(err), names)
	case "mkdirall":
		out = normalizeError(fs.MkdirAll(a, 0o755))
	case "remove":
		out = normalizeError(fs.Remove(a))
	case "removeall":
		out = normalizeError(fs.RemoveAll(a))
	case "rename":
		out = normalizeError(fs.Rename(a, b))
	case "link":
		out = normalizeError(fs.Link(a, b))
	case "lock":
		l, err := fs.Lock(a)
		if err == nil {
			h.locks[a] = l
		}
		out = normalizeError(err)
	case "unlock":
		if l := h.locks[a]; l != nil {
			delete(h.locks, a)
			out = normalizeError(l.Close())
		}
	default:
		panic("unknown step " + step)
	}
	return step + ": " + out
}

func (h *vfsHarness) fileOp(f vfs.File, op string, args []string) string {
	num := func(i int) int64 { n, _ := strconv.Atoi(args[i]); return int64(n) }
	switch op {
	case "write":
		n, err := f.Write([]byte(args[0]))
		return fmt.Sprintf("%d %s", n, normalizeError(err))
	case "writeat":
		n, err := f.WriteAt([]byte(args[1]), num(0))
		return fmt.Sprintf("%d %s", n, normalizeError(err))
	case "read":
		buf := make([]byte, num(0))
		n, err := f.Read(buf)
		return fmt.Sprintf("%d %q %s", n, buf[:n], normalizeError(err))
	case "readat":
		buf := make([]byte, num(1))
		n, err := f.ReadAt(buf, num(0))
		return fmt.Sprintf("%d %q %s", n, buf[:n], normalizeError(err))
	case "sync":
		return normalizeError(f.Sync())
	case "fstat":
		st, err := f.Stat()
		if err != nil {
			return normalizeError(err)
		}
		return fmt.Sprintf("ok size=%d dir=%v", st.Size(), st.IsDir())
	}
	panic(op)
}

// conformanceScript exercises every namespace and file operation.
var conformanceScript = []string{
	"mkdirall a/b/c", "mkdirall a/b", "list a", "stat a/b", "list a/b/c",
	"create a/f", "write a/f hello", "write a/f _world", "fstat a/f", "read a/f 5", "close a/f",
	"open a/f", "read a/f 5", "read a/f 100", "read a/f 1", "readat a/f 6 5", "readat a/f 8 10",
	"readat a/f 50 1", "write a/f nope", "close a/f",
	"stat a/f", "stat a/missing", "stat missing/x", "open a/missing", "list missing",
	"openrw a/g", "writeat a/g 3 xyz", "readat a/g 0 6", "close a/g", "openrw a/g", "read a/g 10", "close a/g",
	"link a/f a/h", "link a/f a/h", "link a/missing a/i", "link a/f nodir/i",
	"openrw a/h", "writeat a/h 0 HELLO", "close a/h", "open a/f", "read a/f 11", "close a/f",
	"create a/h", "stat a/f", "stat a/h",
	"rename a/f a/b/c/f", "stat a/f", "stat a/b/c/f", "rename a/missing a/x", "rename a/g a/b/c/f", "stat a/b/c/f",
	"rename a/b/c a/d", "list a", "list a/d",
	"reuse a/d/f a/r", "write a/r XY", "read a/r 2", "close a/r", "open a/r", "read a/r 10", "close a/r",
	"reuse a/missing a/s",
	"remove a/missing", "remove a", "remove a/h", "list a",
	"create a/f/x", "mkdirall a/r/x", "list a/r",
	"lock a/LOCK", "lock a/LOCK", "stat a/LOCK", "unlock a/LOCK", "lock a/LOCK", "unlock a/LOCK",
	"lock nodir/LOCK",
	"opendir a", "sync a", "fstat a", "read a 1", "write a x", "close a",
	"removeall a/d", "removeall a/d", "removeall nodir/x", "list a",
	"removeall a", "list /", "stat a",
}

func TestConformsToMemFSOnScript(t *testing.T) {
	mem, ff := newHarness(vfs.NewMem()), newHarness(newDisk(t, 1, Options{}))
	var want, got []string
	for _, step := range conformanceScript {
		want = append(want, mem.do(step))
		got = append(got, ff.do(step))
	}
	require.Equal(t, strings.Join(want, "\n"), strings.Join(got, "\n"))
}

func TestListIsSorted(t *testing.T) {
	d := newDisk(t, 1, Options{})
	for _, n := range []string{"m", "b", "z", "a", "k"} {
		writeFile(t, d, n, nil, false)
	}
	names, err := d.List("")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "k", "m", "z"}, names)
}

func TestPathsAreNormalised(t *testing.T) {
	d := newDisk(t, 1, Options{})
	require.NoError(t, d.MkdirAll("/x/y/", 0o755))
	writeFile(t, d, "x//y/../y/f", []byte("v"), false)
	require.Equal(t, "v", string(readFile(t, d, "/x/y/f")))
	require.Equal(t, "v", string(readFile(t, d, "./x/y/f")))
	require.Equal(t, "f", d.PathBase("x/y/f"))
	require.Equal(t, "x/y", d.PathDir("x/y/f"))
	require.Equal(t, "x/y/f", d.PathJoin("x", "y", "f"))
	require.Nil(t, d.Unwrap())
}

func TestWriteDoesNotKeepCallerBuffer(t *testing.T) {
	d := newDisk(t, 1, Options{})
	f, err := d.Create("f", vfs.WriteCategoryUnspecified)
	require.NoError(t, err)
	buf := []byte("abc")
	_, err = f.Write(buf)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	copy(buf, "XYZ")
	require.Equal(t, "abc", string(readFile(t, d, "f")))
	syncDir(t, d, "/")
	d.PowerLoss(Honest)
	require.Equal(t, "abc", string(readFile(t, d, "f")))
	require.Equal(t, vfs.InvalidFd, f.Fd())
}

// TestConformsToMemFSOnRandomOps runs random operation sequences against
// MemFS and faultfs and requires the same results and the same final tree.
// Steps on which MemFS departs from POSIX (replacing a directory, renaming
// into a missing directory, renaming one hard link onto another) are
// skipped.
func TestConformsToMemFSOnRandomOps(t *testing.T) {
	paths := []string{"a", "b", "d", "d/a", "d/b", "d/e", "d/e/f"}
	rapid.Check(t, func(rt *rapid.T) {
		memFS := vfs.NewMem()
		mem, ff := newHarness(memFS), newHarness(newDisk(rt, 1, Options{}))
		isDir := func(p string) bool {
			st, err := memFS.Stat(p)
			return err == nil && st.IsDir()
		}
		isFile := func(p string) bool {
			st, err := memFS.Stat(p)
			return err == nil && !st.IsDir()
		}
		linked := false
		n := rapid.IntRange(1, 60).Draw(rt, "steps")
		for range n {
			a := rapid.SampledFrom(paths).Draw(rt, "a")
			b := rapid.SampledFrom(paths).Draw(rt, "b")
			data := rapid.StringMatching(`[a-z]{1,6}`).Draw(rt, "data")
			off := rapid.IntRange(0, 12).Draw(rt, "off")
			var step string
			switch rapid.IntRange(0, 16).Draw(rt, "op") {
			case 0:
				if isDir(a) {
					continue
				}
				step = "create " + a
			case 1:
				step = "open " + a
			case 2:
				if isDir(a) {
					continue
				}
				step = "openrw " + a
			case 3:
				step = fmt.Sprintf("write %s %s", a, data)
			case 4:
				step = fmt.Sprintf("writeat %s %d %s", a, off, data)
			case 5:
				step = fmt.Sprintf("read %s %d", a, off)
			case 6:
				step = fmt.Sprintf("readat %s %d %d", a, off, 1+off%5)
			case 7:
				step = "close " + a
			case 8:
				step = "stat " + a
			case 9:
				step = "list " + a
			case 10:
				step = "mkdirall " + a
			case 11:
				step = "remove " + a
			case 12:
				step = "removeall " + a
			case 13, 14:
				if !isFile(a) || !isDir(memFS.PathDir(b)) && memFS.PathDir(b) != "." || isDir(b) {
					continue
				}
				if linked && isFile(b) {
					continue // POSIX keeps both names of one inode; MemFS drops one
				}
				verb := "rename"
				if rapid.Bool().Draw(rt, "reuse") {
					verb = "reuse"
				}
				step = fmt.Sprintf("%s %s %s", verb, a, b)
			case 15:
				if isDir(a) {
					continue
				}
				step = fmt.Sprintf("link %s %s", a, b)
				linked = true
			case 16:
				if isDir(a) {
					continue
				}
				if _, held := mem.locks[a]; held && rapid.Bool().Draw(rt, "unlock") {
					step = "unlock " + a
				} else {
					step = "lock " + a
				}
			}
			if step == "" || (strings.HasPrefix(step, "write") || strings.HasPrefix(step, "read")) && mem.files[a] == nil {
				continue
			}
			require.Equal(rt, mem.do(step), ff.do(step))
		}
		require.Equal(rt, digest(rt, memFS), digest(rt, ff.fs))
	})
}
