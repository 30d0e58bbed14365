package scenarios

import (
	"errors"
	"fmt"
)

// Bug is a planted defect in the system under test, off unless asked for.
// Each one exists to prove that a checker catches what it breaks.
type Bug struct {
	Name     string
	Scenario string // the scenario that finds it by default
	Breaks   string // what it breaks, in one line
}

// ErrUnknownBug is returned for a name not in the catalog.
var ErrUnknownBug = errors.New("unknown bug")

var bugCatalog = []Bug{
	{"commit-before-quorum", "partition", "the leader commits once a majority of the quorum accepted, not all of it: a peon still holding a lease serves reads that miss acknowledged writes"},
	{"lease-no-check", "partition", "a peon serves reads without a valid lease: a cut-off peon answers stale reads"},
	{"no-fsync-accept", "crash-restart", "a peon acks an accept before the store syncs it: a power loss makes it forget its promise"},
	{"recent-off-by-one", "lagging", "a recent sync skips one version: the requester's state misses a transaction"},
	{"sync-skip-redo", "trimmed", "a full-sync provider omits the versions committed after its snapshot"},
	{"patent-literal", "repair-stale", "the repair syncs from the first probe reply and votes as soon as the switch is done: a stale source forks history"},
	{"skip-dir-sync", "repair-powerloss", "no fsync of the parent directory after the rename: a power cut undoes the switch"},
	{"mark-before-durable", "repair-powerloss", "the completed mark is written before the synced data: a power cut leaves a mark vouching for missing data"},
	{"answer-probe-while-repairing", "repair", "a repairing monitor answers probes"},
	{"delete-before-complete", "repair-powerloss", "the damaged store is removed before the new one is complete: a crash leaves no complete store"},
}

// Bugs returns the planted-bug catalog in name order.
func Bugs() []Bug { return bugCatalog }

// LookupBug finds a planted bug by name.
func LookupBug(name string) (Bug, error) {
	for _, b := range bugCatalog {
		if b.Name == name {
			return b, nil
		}
	}
	return Bug{}, fmt.Errorf("%w %q (simrun list shows them)", ErrUnknownBug, name)
}
