package node

import (
	"errors"
	"fmt"
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
	// PatentLiteral repairs as patent CN114722029B says, taken literally:
	// sync from the first probe reply and vote as soon as the switch is
	// done.
	PatentLiteral bool
	// SkipDirSync skips the fsync of the parent directory after the rename,
	// and lets the store open on a directory entry it never made durable.
	SkipDirSync bool
	// MarkBeforeDurable writes the completed mark before the synced data.
	MarkBeforeDurable bool
	// AnswerProbeWhileRepairing lets a repairing monitor answer probes.
	AnswerProbeWhileRepairing bool
	// DeleteBeforeComplete removes the damaged store when the repair
	// starts, before the new one is complete.
	DeleteBeforeComplete bool
	// IgnoreFsyncError makes the store ignore a failed log fsync and report
	// the batch durable: the most common storage bug there is.
	IgnoreFsyncError bool
	// StopEventTwice makes the leader decide whether a collector is already
	// marked down from its own memory, not from the replicated events: a
	// new leader records a second stop for one offline period.
	StopEventTwice bool
	// PageStaleVector makes a page repair take each page from the monitor
	// that one peer's LSN vector says holds its highest LSN, unchecked.
	PageStaleVector bool
	// PageRedoIgnoresLSN makes recovery redo log records onto a page whose
	// LSN shows it already holds them.
	PageRedoIgnoresLSN bool
	// PageRepairsMetadata makes a page repair fetch a damaged page of the
	// monitor's own Paxos metadata from a peer.
	PageRepairsMetadata bool
	// PageLiteral repairs pages as patent CN108228678B says, taken
	// literally: ask one healthy peer for the page's LSN vector, fetch the
	// page from the monitor with the highest LSN, rejoin at once.
	PageLiteral bool
	// ResumeDropsDeletes leaves deletions (of keys, by prefix, by trim) out
	// of a resumed sync's change set.
	ResumeDropsDeletes bool
	// ResumeSkipsBoundary starts a resumed sync's failed interval one key
	// late.
	ResumeSkipsBoundary bool
	// ResumeOlderProvider lets a provider older than the copy resume it.
	ResumeOlderProvider bool
	// ResumeNoQuiesce streams a resumed sync's failed interval from the
	// live store instead of the pinned fault-recovery snapshot.
	ResumeNoQuiesce bool

	// The collectors' planted bugs (package collector reads them here, so
	// that there is one catalog).

	// CatchupFromReceived makes a restarted collector resume after the
	// last event it stored, not after its last confirmed one: an event it
	// was still missing below it is never fetched.
	CatchupFromReceived bool
	// TrimmedGapSkipped makes a collector behind the monitors' trim skip
	// the trimmed events instead of taking the full state.
	TrimmedGapSkipped bool
}

// Bug names a planted defect. In a plan or seed file it is its name; an
// unknown name is an error.
type Bug string

// BugInfo is one entry of the planted-bug catalog.
type BugInfo struct {
	Name Bug
	// Scenario is the harness scenario that finds it by default.
	Scenario string
	// Breaks says what it breaks, in one line.
	Breaks string
	// on is its switch.
	on func(*Bugs) *bool
}

// bugCatalog is the one list of planted bugs.
var bugCatalog = []BugInfo{
	{"commit-before-quorum", "partition", "the leader commits once a majority of the quorum accepted, not all of it: a peon still holding a lease serves reads that miss acknowledged writes",
		func(b *Bugs) *bool { return &b.CommitBeforeQuorum }},
	{"lease-no-check", "partition", "a peon serves reads without a valid lease: a cut-off peon answers stale reads",
		func(b *Bugs) *bool { return &b.LeaseNoCheck }},
	{"no-fsync-accept", "crash-restart", "a peon acks an accept before the store syncs it: a power loss makes it forget its promise",
		func(b *Bugs) *bool { return &b.NoFsyncAccept }},
	{"recent-off-by-one", "lagging", "a recent sync skips one version: the requester's state misses a transaction",
		func(b *Bugs) *bool { return &b.RecentOffByOne }},
	{"sync-skip-redo", "trimmed", "a full-sync provider omits the versions committed after its snapshot",
		func(b *Bugs) *bool { return &b.SyncSkipRedo }},
	{"patent-literal", "repair-stale", "the repair syncs from the first probe reply and votes as soon as the switch is done: a stale source forks history",
		func(b *Bugs) *bool { return &b.PatentLiteral }},
	{"skip-dir-sync", "repair-powerloss", "no fsync of the parent directory after the rename: a power cut undoes the switch",
		func(b *Bugs) *bool { return &b.SkipDirSync }},
	{"mark-before-durable", "repair-powerloss", "the completed mark is written before the synced data: a power cut leaves a mark vouching for missing data",
		func(b *Bugs) *bool { return &b.MarkBeforeDurable }},
	{"answer-probe-while-repairing", "repair", "a repairing monitor answers probes",
		func(b *Bugs) *bool { return &b.AnswerProbeWhileRepairing }},
	{"delete-before-complete", "repair-powerloss", "the damaged store is removed before the new one is complete: a crash leaves no complete store",
		func(b *Bugs) *bool { return &b.DeleteBeforeComplete }},
	{"ignore-fsync-error", "kv-crash", "the store ignores a failed fsync and reports the batch durable: a power cut before the next good fsync loses it",
		func(b *Bugs) *bool { return &b.IgnoreFsyncError }},
	{"stop-event-twice", "collectors-offline", "a new leader marks a collector down that the events already say is down: a second stop event for one offline period",
		func(b *Bugs) *bool { return &b.StopEventTwice }},
	{"catchup-from-received", "collectors-offline", "a restarted collector resumes after the last event it received, not its last confirmed one: an event it was missing below it is lost for good",
		func(b *Bugs) *bool { return &b.CatchupFromReceived }},
	{"trimmed-gap-skipped", "collectors-offline", "a collector behind the trim skips the trimmed events instead of taking the full state: its log has a gap",
		func(b *Bugs) *bool { return &b.TrimmedGapSkipped }},
	{"page-stale-vector", "repair-page", "a page repair takes each page from the holder of the highest LSN in one peer's vector, unchecked: a stale vector installs a page older than the monitor's own state",
		func(b *Bugs) *bool { return &b.PageStaleVector }},
	{"page-redo-ignores-lsn", "repair-page-powerloss", "recovery redoes log records onto a page installed at a newer version: after a power cut mid catch-up the page goes back",
		func(b *Bugs) *bool { return &b.PageRedoIgnoresLSN }},
	{"page-repairs-metadata", "repair-page", "a damaged page of the monitor's own Paxos metadata is fetched from a peer: it takes on the peer's promises",
		func(b *Bugs) *bool { return &b.PageRepairsMetadata }},
	{"page-literal", "repair-page", "the patent's page repair as written: one healthy peer's vector, the highest LSN, rejoin at once with pages of another version",
		func(b *Bugs) *bool { return &b.PageLiteral }},
	{"resume-drops-deletes", "sync-interrupted", "a resumed full sync's change set omits deletions: keys deleted between s1 and s2 survive in the part already copied",
		func(b *Bugs) *bool { return &b.ResumeDropsDeletes }},
	{"resume-skips-boundary", "sync-interrupted", "a resumed full sync's failed interval starts one key late: the first key not yet copied never arrives",
		func(b *Bugs) *bool { return &b.ResumeSkipsBoundary }},
	{"resume-older-provider", "sync-interrupted", "a provider whose state is older than the copy's s1 resumes it: the copy mixes newer keys into an older state",
		func(b *Bugs) *bool { return &b.ResumeOlderProvider }},
	{"resume-no-quiesce", "sync-interrupted", "the fault-recovery snapshot is not quiesced: the failed interval is read from the live store, so batches after s2 land in it half-applied",
		func(b *Bugs) *bool { return &b.ResumeNoQuiesce }},
}

// ErrUnknownBug is returned for a name not in the catalog.
var ErrUnknownBug = errors.New("unknown bug")

// BugCatalog returns every planted bug, in catalog order.
func BugCatalog() []BugInfo { return bugCatalog }

// LookupBug finds a planted bug by name.
func LookupBug(name Bug) (BugInfo, error) {
	for _, b := range bugCatalog {
		if b.Name == name {
			return b, nil
		}
	}
	return BugInfo{}, fmt.Errorf("%w %q (simrun list shows them)", ErrUnknownBug, name)
}

// UnmarshalText reads a bug's name ("" for none); an unknown name is an
// error.
func (b *Bug) UnmarshalText(text []byte) error {
	if _, err := LookupBug(Bug(text)); err != nil && len(text) > 0 {
		return err
	}
	*b = Bug(text)
	return nil
}

// Enable switches on the named bug; "" enables nothing.
func (b *Bugs) Enable(name Bug) error {
	if name == "" {
		return nil
	}
	info, err := LookupBug(name)
	if err != nil {
		return err
	}
	*info.on(b) = true
	return nil
}
