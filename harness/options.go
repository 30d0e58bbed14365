package harness

import (
	"fmt"
	"hash/fnv"
	"io"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
	"github.com/monsim/monsim/sim"
)

// Timeline of every cluster run: a fault phase, then a heal phase in which
// every fault stops, everything down restarts, and the cluster must
// converge before the end.
const (
	FaultPhase = 20 * sim.Second
	HealPhase  = 20 * sim.Second
	ClusterEnd = FaultPhase + HealPhase
)

const (
	defaultMonitors = 5
	DefaultClients  = 4 // clients in a run whose Workload is nil
	maxDriftPPM     = 200
	restartDelay    = 500 * sim.Millisecond // a monitor that stopped on a store error comes back after this
)

// Options choose one cluster run. The zero value of a field means its
// default.
type Options struct {
	Seed     uint64
	Monitors int // cluster size: 3, 5 or 7; 0 means 5
	// Collectors is how many collectors run beside the monitors (0: none).
	Collectors int
	Bug        node.Bug // a planted bug to switch on; "" for none
	// Plan is the fault phase's plan; the heal phase is added to it.
	Plan sim.Plan
	// Workload is what the clients do; nil means the default.
	Workload *Workload
	// Unavailable says the plan breaks stores on purpose beyond what the
	// cluster can repair: instead of converging after the heal, it must
	// stay unavailable and never start a new history once BrokenStores
	// stores broke (0: all of them). A plan that aims at a majority
	// (BrokenStores > 0) may fall short, when damage aimed at a page finds
	// nothing there to damage: a majority is then intact and the run is
	// judged as any other.
	Unavailable  bool
	BrokenStores int
	// NoPageRepair turns the monitors' page repair off: a damaged page is
	// repaired by rebuilding the whole store (node.Config.NoPageRepair).
	NoPageRepair bool
	// Preload is how many config keys every store starts with, besides the
	// clients' (PreloadKeys): a benchmark's store of a given size. 0: none.
	Preload int
	// FaultPhase is how long the fault phase lasts; the heal phase follows
	// it. 0 means FaultPhase (20 s): a benchmark's run of a given length.
	FaultPhase int64
	// Keys is the clients' key space size; 0 means 5.
	Keys int
	// PrefixDeletes lets the clients delete by prefix too (ClientOptions).
	PrefixDeletes bool
	// SyncChunkKeys bounds the keys of a sync chunk; 0 means the monitors'
	// default. Fewer make more chunks for a sync to break off at.
	SyncChunkKeys int
	// Trace receives every trace record as a JSON line; nil hashes only.
	Trace io.Writer
}

// Workload is how much the clients do: how many clients there are, and how
// many operations each may issue (0: as many as time allows). Shrinking a
// failure drops clients and cuts operations through it.
type Workload struct {
	Clients int   `json:"clients"`
	MaxOps  []int `json:"max_ops,omitempty"`
}

// MonitorConfig is the monitor configuration every cluster run starts from:
// Ceph's ratios, scaled so a 40 s run holds many trims and syncs.
func MonitorConfig(rank, monitors int) node.Config {
	return node.Config{
		Rank: rank, Monitors: monitors, MaxDriftPPM: maxDriftPPM,
		PaxosMin: 50, TrimMin: 25, TrimMax: 50,
		CollectorTimeout: collectorTimeout, EventsKeep: eventsKeep, EventsTrimMin: eventsTrimMin,
		Store: kvstore.Options{L1Every: 32, L2Every: 256, SegmentBytes: 256 << 10},
	}
}

// PreloadKeys are n config keys of 16-byte values, spread evenly over the
// store's pages of config keys (node/pages.go) by a hash of their number.
func PreloadKeys(n int) []node.Pair {
	out := make([]node.Pair, n)
	for i := range out {
		h := fnv.New32a()
		fmt.Fprintf(h, "%d", i)
		out[i] = node.Pair{Key: fmt.Sprintf("k%08x", h.Sum32()), Value: fmt.Appendf(nil, "preloaded-%06d", i)}
	}
	return out
}

// timeline is when o's fault phase ends and when its run ends.
func (o *Options) timeline() (faultEnd, end int64) {
	faultEnd = FaultPhase
	if o.FaultPhase > 0 {
		faultEnd = o.FaultPhase
	}
	return faultEnd, faultEnd + HealPhase
}

func (o *Options) monitors() int {
	if o.Monitors == 0 {
		return defaultMonitors
	}
	return o.Monitors
}
