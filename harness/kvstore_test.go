package harness

import (
	"bytes"
	"strings"
	"testing"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
)

// A bit flipped at the end of the newest log segment while the host is
// down is damage: the store refuses to open (a store that took it for a
// torn write would drop synced batches, which kv-durability reports), and
// the flip shows in the trace, aimed inside the segment's last bytes.
func TestStoreRunLogTailDamageIsRefused(t *testing.T) {
	at := 5 * sim.Second
	plan := sim.Plan{Faults: []sim.Fault{
		{At: at, Node: 0, Kind: sim.FaultCrash, For: 50 * sim.Millisecond},
		{At: at + 25*sim.Millisecond, Node: 0, Kind: sim.FaultCorrupt, Corruption: faultfs.BitFlip, Target: TargetLogTail},
	}}
	var trace bytes.Buffer
	res := RunStore(StoreOptions{Seed: 1, Plan: plan, Trace: &trace})
	require.False(t, res.Failed(), res.Verdict())
	require.Positive(t, res.Counters["damage_refused"], "the store opened over a damaged log tail")
	var flip string
	for _, line := range strings.Split(trace.String(), "\n") {
		if strings.Contains(line, `"kind":"disk/corrupt/bit-flip"`) {
			flip = line
		}
	}
	require.Contains(t, flip, `"path":"kv/LOG-`)
}
