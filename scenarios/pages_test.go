package scenarios

import (
	"testing"

	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// The pages the page scenarios damage hold what their names say.
func TestPageScenariosAimAtThePagesTheyName(t *testing.T) {
	for key, page := range map[string]int{
		"client/00000000000000000005": pageClients, "kv/k0": pageKeysK0, "kv/k1": pageKeysK0,
		"kv/k2": pageKeysK2, "kv/k3": pageKeysK2, "kv/k4": pageKeysK4,
		"mon/epoch": pageMetadata, "mon/accepted_pn": pageMetadata, "paxos/lc": pageHead,
		"paxos/v/00000000000000000001": pageVersions, "paxos/v/00000000000000000499": pageVersions,
	} {
		require.Equal(t, page, node.PageOf(key), key)
	}
}

// repair-page repairs pages, and moves only those pages (and the versions
// a catch-up needs): far less than the store, which a full sync would copy.
func TestRepairPageMovesOnlyThePagesThatBroke(t *testing.T) {
	sc, err := Lookup("repair-page")
	require.NoError(t, err)
	total := harness.Counters{}
	for seed := uint64(1); seed <= 8; seed++ {
		res := sc.Run(Options{Seed: seed})
		require.False(t, res.Failed(), "seed %d: %s", seed, res.Verdict())
		for _, c := range res.Counters.Names() {
			total[c] += res.Counters[c]
		}
	}
	require.Positive(t, total["page_repairs"])
	require.Equal(t, total["page_repairs"], total["page_repairs_completed"], "%v", total)
	require.GreaterOrEqual(t, total["pages_repaired"], total["page_repairs"])
	require.Positive(t, total["whole_store_fallbacks"], "damage to a monitor's own metadata falls back")
	require.Equal(t, total["whole_store_fallbacks"], total["repairs_started"], "no whole-store repair but the fallbacks")
}

// repair-scattered gives both verdicts from the same seeds: with page repair
// the cluster recovers; without it, a majority of broken stores leaves no
// majority of intact peers, and it stays unavailable, starting no new
// history.
func TestRepairScatteredRecoversOnlyWithPageRepair(t *testing.T) {
	sc, err := Lookup("repair-scattered")
	require.NoError(t, err)
	for seed := uint64(1); seed <= 3; seed++ {
		with := sc.Run(Options{Seed: seed})
		require.False(t, with.Failed(), "seed %d: %s", seed, with.Verdict())
		require.EqualValues(t, 3, with.Counters["page_repairs_completed"])
		require.Zero(t, with.Counters["repairs_started"])

		without := sc.Run(Options{Seed: seed, NoPageRepair: true})
		require.False(t, without.Failed(), "seed %d: %s", seed, without.Verdict())
		require.EqualValues(t, 3, without.Counters["repairs_started"])
		require.Zero(t, without.Counters["repairs_completed"])
		require.Contains(t, without.Note, "3 of 5 stores broke")
		require.Contains(t, without.Note, "stayed unavailable")
		require.Less(t, without.Counters["commits"], with.Counters["commits"])
	}
}

// Power cut at page repair's steps still ends in a repaired monitor:
// repair-page-powerloss cuts it mid-repair, and every repair that began
// ends, page by page or, when a cut broke more than pages, whole.
func TestRepairPagePowerlossCutsMidRepair(t *testing.T) {
	sc, err := Lookup("repair-page-powerloss")
	require.NoError(t, err)
	total := harness.Counters{}
	for seed := uint64(1); seed <= 6; seed++ {
		res := sc.Run(Options{Seed: seed})
		require.False(t, res.Failed(), "seed %d: %s", seed, res.Verdict())
		for _, c := range res.Counters.Names() {
			total[c] += res.Counters[c]
		}
	}
	require.Positive(t, total["mid_repair_power_losses"])
	require.Positive(t, total["page_repairs_completed"])
}
