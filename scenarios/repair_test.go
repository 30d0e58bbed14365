package scenarios

import (
	"testing"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/sim"
	"github.com/stretchr/testify/require"
)

// Each store-breaking fault of the repair scenarios really makes the store
// fail to open, or damages pages of it, and the monitor repairs it (the
// whole store or those pages) and rejoins.
func TestStoreBreakingFaultsBreakTheStore(t *testing.T) {
	sc, err := Lookup("repair")
	require.NoError(t, err)
	at := 6 * sim.Second // past the first trims
	cases := map[string][]sim.Fault{
		"lying-disk power loss": {{At: at, Kind: sim.FaultPowerLoss, Node: 1, Power: faultfs.Lying, For: 300 * sim.Millisecond}},
	}
	for _, b := range storeBreaks[:sureBreaks] { // every break the scenarios count on
		cases[b.kind.String()+" of "+string(b.target)] = breakStoreWith(b, nil, at, 1)
	}
	for name, faults := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plan := sim.Plan{Faults: faults}
			res := sc.Run(Options{Seed: 3, Plan: &plan})
			require.False(t, res.Failed(), res.Verdict())
			require.EqualValues(t, 1, res.Counters["repairs_started"]+res.Counters["page_repairs"], "the store did not fail to open")
			require.EqualValues(t, 1, res.Counters["repairs_completed"]+res.Counters["page_repairs_completed"])
		})
	}
}

// The repair scenarios together produce both full and recent repairs, and
// repairs that complete after a power cut in their middle.
func TestRepairScenariosCoverFullRecentAndInterruptedRepairs(t *testing.T) {
	total := harness.Counters{}
	for _, name := range []string{"repair", "repair-powerloss", "repair-double"} {
		sc, err := Lookup(name)
		require.NoError(t, err)
		for seed := uint64(1); seed <= 6; seed++ {
			res := sc.Run(Options{Seed: seed})
			require.False(t, res.Failed(), "%s seed %d: %s", name, seed, res.Verdict())
			for _, c := range res.Counters.Names() {
				total[c] += res.Counters[c]
			}
		}
	}
	require.Positive(t, total["repairs_full"])
	require.Positive(t, total["repairs_recent"])
	require.Positive(t, total["mid_repair_power_losses"])
	require.Equal(t, total["repairs_started"], total["repairs_completed"], "%v", total)
}
