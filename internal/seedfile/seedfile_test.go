package seedfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
)

func sample() *File {
	return &File{
		Build: "test", Scenario: "kv-crash", Seed: 7,
		Plan:      sim.Plan{Faults: []sim.Fault{{At: 5, Kind: sim.FaultCrash, Node: 0}}},
		Failure:   Failure{Check: checker.NameKVDurability, Reason: "lost"},
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
		"unknown checker": []byte(`{"format":2,"scenario":"x","trace_hash":"01","failure":{"check":"ledgr"}}`),
		"unknown bug":     []byte(`{"format":2,"scenario":"x","trace_hash":"01","bug":"lease-no-chek"}`),
		"unknown mode":    []byte(`{"format":2,"scenario":"x","trace_hash":"01","plan":{"faults":[{"kind":"power-loss","node":0,"power":"gentle"}]}}`),
		"format 1 path":   []byte(`{"format":1,"scenario":"x","trace_hash":"01","plan":{"faults":[{"kind":"corrupt","node":0,"mode":"bit-flip","target":"mon-0/elsewhere"}]}}`),
	}
	for name, data := range cases {
		_, err := Decode(data)
		require.ErrorIs(t, err, ErrBad, name)
	}
}

// A format 1 file still loads: its modes become typed, its disk paths
// become the monitor's targets, and the heal phase it spelled out goes
// (the harness adds it).
func TestFormatOneFilesAreUpgraded(t *testing.T) {
	f, err := Read("testdata/format1-repair.json")
	require.NoError(t, err)
	require.Equal(t, Format, f.Format)
	require.Equal(t, node.Bug("skip-dir-sync"), f.Bug)
	require.Equal(t, checker.NameRepair, f.Failure.Check)
	require.Equal(t, sim.Fault{At: 7053957797, Kind: sim.FaultCorrupt, Node: 3, Corruption: faultfs.Misdirect,
		Target: sim.Target(node.TargetLog)}, f.Plan.Faults[1])
	require.Equal(t, faultfs.Honest, f.Plan.Faults[2].Power)
	for _, fault := range f.Plan.Faults {
		require.NotEqual(t, sim.FaultHeal, fault.Kind, "the heal phase is the harness's")
	}
}
