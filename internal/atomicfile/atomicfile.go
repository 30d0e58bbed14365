// Package atomicfile writes the files monsim leaves for its users (seed
// files, traces, reports, histories) so that a reader never sees a partial
// one: the bytes go to a temp file beside the target, which is synced and
// renamed over it, and then the directory is synced. An interrupted write
// leaves the old file, or none, and no temp file once Abort has run.
package atomicfile

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
)

// File is a file being written; nothing is visible at its path until
// Commit.
type File struct {
	path string
	f    *os.File
	w    *bufio.Writer
	done bool
}

// Create starts writing path. Its directory must exist.
func Create(path string) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	return &File{path: path, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// Write buffers p.
func (a *File) Write(p []byte) (int, error) { return a.w.Write(p) }

// Commit makes the file durable and visible at its path, with mode 0644
// (temp files are private; the user's files are not).
func (a *File) Commit() error {
	if a.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	err := errors.Join(a.w.Flush(), a.f.Chmod(0o644), a.f.Sync())
	if err == nil {
		err = a.f.Close()
	} else {
		a.f.Close()
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	a.done = true
	if err != nil {
		os.Remove(a.f.Name())
		return err
	}
	return syncDir(filepath.Dir(a.path))
}

// Abort drops the file; it is a no-op after Commit.
func (a *File) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	os.Remove(a.f.Name())
}

// Write writes data to path atomically.
func Write(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// syncDir makes a rename in dir durable. Some filesystems cannot sync a
// directory; the rename has happened either way, so that is not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
