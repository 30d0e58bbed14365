// Package seedfile reads and writes saved failing runs: the scenario, seed,
// planted bug and the explicit fault plan that ran, with the failure and the
// trace hash it gave. Writes are atomic (temp file, fsync, rename), so a
// corpus never holds a half-written file; reads are strict, so a truncated
// or hand-mangled file is refused with a one-line reason.
package seedfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/monsim/monsim/sim"
)

// Format is the version of the layout this package writes and reads.
const Format = 1

// File is one saved run.
type File struct {
	Format   int      `json:"format"`
	Build    string   `json:"build"`
	Scenario string   `json:"scenario"`
	Seed     uint64   `json:"seed"`
	Bug      string   `json:"bug,omitempty"`
	Monitors int      `json:"monitors,omitempty"`
	Base     uint64   `json:"base,omitempty"`
	Shard    string   `json:"shard,omitempty"`
	Plan     sim.Plan `json:"plan"`
	// Workload, when set, narrows the clients' work (a shrunk failure).
	Workload  *Workload `json:"workload,omitempty"`
	Failure   Failure   `json:"failure"`
	TraceHash string    `json:"trace_hash"`
}

// Workload is how many clients run and how many operations each may issue
// (0: unlimited), as scenarios.Workload.
type Workload struct {
	Clients int   `json:"clients"`
	MaxOps  []int `json:"max_ops,omitempty"`
}

// Failure is the verdict the run gave when it was saved.
type Failure struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// ErrBad wraps every reason a seed file cannot be used.
var ErrBad = errors.New("bad seed file")

// Hash returns the saved trace hash as a number.
func (f *File) Hash() (uint64, error) {
	return strconv.ParseUint(f.TraceHash, 16, 64)
}

// Decode parses and validates a seed file's bytes.
func Decode(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBad, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrBad)
	}
	switch {
	case f.Format != Format:
		return nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrBad, f.Format, Format)
	case f.Scenario == "":
		return nil, fmt.Errorf("%w: no scenario", ErrBad)
	case f.TraceHash == "":
		return nil, fmt.Errorf("%w: no trace_hash", ErrBad)
	}
	if _, err := f.Hash(); err != nil {
		return nil, fmt.Errorf("%w: trace_hash %q is not 16 hex digits", ErrBad, f.TraceHash)
	}
	return &f, nil
}

// Read loads and validates a seed file.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Write saves f at path atomically: it never leaves a partial file there.
func Write(path string, f *File) error {
	f.Format = Format
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return WriteAtomic(path, append(data, '\n'))
}

// WriteAtomic writes data to a temp file beside path, syncs it and renames
// it over path, then syncs the directory.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil { // temp files are private; seed files are not
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
