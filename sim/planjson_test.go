package sim

import (
	"encoding/json"
	"testing"

	"github.com/monsim/monsim/faultfs"
	"github.com/stretchr/testify/require"
)

func TestPlanJSONRoundTripsEveryTypedField(t *testing.T) {
	in := Plan{Faults: []Fault{
		{At: 5, Kind: FaultPowerLoss, Node: 1, Power: faultfs.Lying, For: 7},
		{Kind: FaultCorrupt, Node: 2, Corruption: faultfs.Misdirect, Target: "checkpoint",
			On: &Trigger{Point: "repair/start", Node: 2, Nth: 1, AfterOps: 3}},
		{At: 9, Kind: FaultDiskEIO, Node: 0, IO: faultfs.OnSync, Prob: 0.25, For: 3},
		{At: 9, Kind: FaultDiskEIO, Node: 0, Prob: 0.5},
		{At: 1, Kind: FaultCrash, Ref: &NodeRef{Role: "sync-provider-of", Of: 2}, For: 4},
		{At: 2, Kind: FaultPartition, Group: []int{0}, Peers: []int{1, 2}},
	}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.Contains(t, string(b), `"power":"lying"`)
	require.Contains(t, string(b), `"corruption":"misdirect"`)
	require.Contains(t, string(b), `"io":"sync"`)
	require.Contains(t, string(b), `"node_ref":"sync-provider-of:2"`)
	require.NotContains(t, string(b), `"mode"`)
	var out Plan
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
}

func TestPlanJSONReadsTheFirstFormatsModes(t *testing.T) {
	var p Plan
	require.NoError(t, json.Unmarshal([]byte(`{"faults":[
		{"kind":"power-loss","node":1,"mode":"torn"},
		{"kind":"corrupt","node":1,"mode":"zero-sector","target":"log"},
		{"kind":"disk-eio","node":1,"mode":"write","prob":0.5}]}`), &p))
	require.Equal(t, faultfs.Torn, p.Faults[0].Power)
	require.Equal(t, faultfs.ZeroSector, p.Faults[1].Corruption)
	require.Equal(t, faultfs.OnWrite, p.Faults[2].IO)
}

func TestPlanJSONRefusesWhatItCannotMean(t *testing.T) {
	for _, bad := range []string{
		`{"kind":"power-loss","node":1,"power":"gentle"}`,
		`{"kind":"crash","node":1,"power":"torn"}`,
		`{"kind":"crash","node":1,"mode":"torn"}`,
		`{"kind":"corrupt","node":1,"corruption":"rot"}`,
		`{"kind":"disk-eio","node":1,"io":"fsync"}`,
		`{"kind":"crash","node":1,"node_ref":"provider"}`,
		`{"kind":"crash","node":1,"colour":"red"}`,
	} {
		var f Fault
		require.Error(t, json.Unmarshal([]byte(bad), &f), bad)
	}
}
