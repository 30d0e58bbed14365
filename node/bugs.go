package node

import (
	"fmt"
	"slices"
)

// Bugs are planted defects, each behind one named switch and a few lines at
// the place it breaks. All are off by default; the harness turns one on to
// prove the checker that should catch it does.
type Bugs struct {
	// CommitBeforeQuorum commits once a majority of the quorum has accepted,
	// not the whole quorum.
	CommitBeforeQuorum bool
	// LeaseNoCheck lets a peon serve reads without a valid lease.
	LeaseNoCheck bool
	// SyncSkipRedo makes a full-sync provider omit the versions committed
	// after its snapshot.
	SyncSkipRedo bool
	// RecentOffByOne makes a recent sync skip one version.
	RecentOffByOne bool
	// NoFsyncAccept acks an accept before the store syncs it.
	NoFsyncAccept bool
	// PatentLiteral repairs as the patent says: sync from the first probe
	// reply and vote as soon as the switch is done.
	PatentLiteral bool
	// SkipDirSync skips the fsync of the parent directory after the rename.
	SkipDirSync bool
	// MarkBeforeDurable writes the completed mark before the synced data.
	MarkBeforeDurable bool
	// AnswerProbeWhileRepairing lets a repairing monitor answer probes.
	AnswerProbeWhileRepairing bool
	// DeleteBeforeComplete removes the damaged store when the repair
	// starts, before the new one is complete.
	DeleteBeforeComplete bool
}

// bugSwitches maps each bug's name to its switch.
func (b *Bugs) bugSwitches() map[string]*bool {
	return map[string]*bool{
		"commit-before-quorum": &b.CommitBeforeQuorum,
		"lease-no-check":       &b.LeaseNoCheck,
		"sync-skip-redo":       &b.SyncSkipRedo,
		"recent-off-by-one":    &b.RecentOffByOne,
		"no-fsync-accept":      &b.NoFsyncAccept,

		"patent-literal":               &b.PatentLiteral,
		"skip-dir-sync":                &b.SkipDirSync,
		"mark-before-durable":          &b.MarkBeforeDurable,
		"answer-probe-while-repairing": &b.AnswerProbeWhileRepairing,
		"delete-before-complete":       &b.DeleteBeforeComplete,
	}
}

// BugNames lists every planted bug, sorted.
func BugNames() []string {
	var b Bugs
	sw := b.bugSwitches()
	names := make([]string, 0, len(sw))
	for n := range sw { //detlint:order-independent sorted below
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Enable switches on the named bug.
func (b *Bugs) Enable(name string) error {
	sw, ok := b.bugSwitches()[name]
	if !ok {
		return fmt.Errorf("unknown bug %q", name)
	}
	*sw = true
	return nil
}
