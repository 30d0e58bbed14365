package seedfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
)

func sample() *File {
	return &File{
		Build: "test", Scenario: "kv-crash", Seed: 7,
		Plan:      sim.Plan{Faults: []sim.Fault{{At: 5, Kind: sim.FaultCrash, Node: 0}}},
		Failure:   Failure{Check: "kv-durability", Reason: "lost"},
		TraceHash: "00000000000000ff",
	}
}

func TestWriteThenReadRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, Write(path, sample()))
	f, err := Read(path)
	require.NoError(t, err)
	want := sample()
	want.Format = Format
	require.Equal(t, want, f)
	h, err := f.Hash()
	require.NoError(t, err)
	require.Equal(t, uint64(0xff), h)
}

func TestWriteLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Write(filepath.Join(dir, "s.json"), sample()))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, 1)
}

func TestBadFilesAreRefusedWithAReason(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, Write(path, sample()))
	good, err := os.ReadFile(path)
	require.NoError(t, err)
	cases := map[string][]byte{
		"truncated":       good[:len(good)/2],
		"empty":           {},
		"unknown field":   []byte(`{"format":1,"scenario":"x","trace_hash":"01","colour":"red"}`),
		"future format":   []byte(`{"format":99,"scenario":"x","trace_hash":"01"}`),
		"no scenario":     []byte(`{"format":1,"trace_hash":"01"}`),
		"bad hash":        []byte(`{"format":1,"scenario":"x","trace_hash":"zz"}`),
		"trailing data":   append(append([]byte{}, good...), []byte(`{}`)...),
		"not json at all": []byte("hello"),
	}
	for name, data := range cases {
		_, err := Decode(data)
		require.ErrorIs(t, err, ErrBad, name)
	}
}
