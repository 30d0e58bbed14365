package kvstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// File names inside the store directory. Each zone has its own prefix, so
// a path prefix such as "store/LOG-" targets it for fault injection.
const (
	manifestName    = "MANIFEST"
	manifestTmpName = "MANIFEST.tmp"
	l1Name          = "L1"
	logPrefix       = "LOG-"
	ckptPrefix      = "CKPT-"
	tmpSuffix       = ".tmp"
)

func logName(gen uint64) string  { return fmt.Sprintf("%s%016x", logPrefix, gen) }
func ckptName(gen uint64) string { return fmt.Sprintf("%s%016x", ckptPrefix, gen) }

// parseGen parses "<prefix><16 hex>" and reports the generation.
func parseGen(name, prefix string) (uint64, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || len(rest) != 16 {
		return 0, false
	}
	gen, err := strconv.ParseUint(rest, 16, 64)
	// Only the canonical spelling is the store's own file.
	return gen, err == nil && fmt.Sprintf("%016x", gen) == rest
}

// inventory sorts the names found in a store directory into zones.
type inventory struct {
	names    []string // every name, sorted
	manifest bool
	l1       bool
	logs     []uint64 // generations of LOG- files
	ckpts    []uint64 // generations of CKPT- files (not temporary ones)
	temps    []string // MANIFEST.tmp and CKPT-*.tmp: leftovers of a cut write
}

func takeInventory(names []string) inventory {
	inv := inventory{names: append([]string(nil), names...)}
	sort.Strings(inv.names)
	for _, name := range inv.names {
		if gen, ok := parseGen(name, logPrefix); ok {
			inv.logs = append(inv.logs, gen)
			continue
		}
		if gen, ok := parseGen(name, ckptPrefix); ok {
			inv.ckpts = append(inv.ckpts, gen)
			continue
		}
		switch {
		case name == manifestName:
			inv.manifest = true
		case name == l1Name:
			inv.l1 = true
		case name == manifestTmpName:
			inv.temps = append(inv.temps, name)
		case strings.HasPrefix(name, ckptPrefix) && strings.HasSuffix(name, tmpSuffix):
			inv.temps = append(inv.temps, name)
		}
	}
	return inv
}

// ensureDir lists dir, creating it if it does not exist, and makes its
// entry durable: each new directory's parent is synced, and so is an
// existing directory's. A directory can exist and not be durable: its
// creation or rename was followed by a failed directory fsync and a
// restart. The store must not build on it as if a power cut could not
// take it away (what PostgreSQL learned, and fsyncs its data directory at
// the start of crash recovery for).
func ensureDir(fs vfs.FS, dir string, trustEntry bool) ([]string, error) {
	names, err := fs.List(dir)
	if err == nil && trustEntry {
		return names, nil
	}
	if err == nil {
		return names, syncDir(fs, fs.PathDir(dir))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, ioErr("list", dir, err)
	}
	var missing []string
	for d := dir; ; d = fs.PathDir(d) {
		if _, err := fs.Stat(d); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, ioErr("stat", d, err)
		}
		missing = append(missing, d)
		if parent := fs.PathDir(d); parent == d {
			break
		}
	}
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return nil, ioErr("mkdir", dir, err)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := syncDir(fs, fs.PathDir(missing[i])); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// syncDir makes the entries of dir (creates, renames, removes) durable.
func syncDir(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return ioErr("open-dir", dir, err)
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return ioErr("sync-dir", dir, err)
	}
	return ioErr("close", dir, d.Close())
}

// readFile reads a whole file. A missing file is reported with an error
// matching os.ErrNotExist, wrapped in an *IOError.
func readFile(fs vfs.FS, path string) ([]byte, error) {
	f, err := fs.Open(path)
	if err != nil {
		return nil, ioErr("open", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, ioErr("read", path, err)
	}
	return data, ioErr("close", path, f.Close())
}

// writeFileSynced writes data to a new file at path and syncs it, calling
// point after the write and after the sync.
func writeFileSynced(fs vfs.FS, path string, data []byte, point func(Point), written, synced Point) error {
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return ioErr("create", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return ioErr("write", path, err)
	}
	point(written)
	if err := f.Sync(); err != nil {
		f.Close()
		return ioErr("sync", path, err)
	}
	point(synced)
	return ioErr("close", path, f.Close())
}

// removeIfExists removes path; a name that is already gone is fine.
func removeIfExists(fs vfs.FS, path string) error {
	if err := fs.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return ioErr("remove", path, err)
	}
	return nil
}

func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
