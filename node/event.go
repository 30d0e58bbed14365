package node

import "fmt"

// EventKind says what an Event reports.
type EventKind uint8

// The events a monitor emits. The checkers rebuild the cluster's history
// from them, so each is emitted only once what it reports is durable or
// has been sent.
const (
	EvStoreOpen       EventKind = iota + 1 // store opened: Version = lc, FC, Hash = state hash (none if Mixed); Copy: it is store.repair
	EvStoreFailed                          // opening the store failed: Detail says why
	EvCommit                               // the leader committed Version with txn hash Hash
	EvApply                                // Version applied durably: Hash = state hash after it (none if Mixed)
	EvVote                                 // acked Peer's proposal in Epoch
	EvQuorum                               // joined a quorum: Epoch, Quorum, Peer = leader
	EvLease                                // leader granted / peon received a lease until Until
	EvSyncStart                            // sync from Peer began: Full, Version = my lc
	EvSyncChunk                            // a sync chunk was applied: Version = lc reached, Bytes received
	EvSyncFinish                           // sync done: Version = lc, Hash = state hash, FC = provider's final lc
	EvSyncAbort                            // sync abandoned: Detail says why
	EvTrim                                 // versions below FC were trimmed
	EvState                                // the monitor changed phase: Phase
	EvProvide                              // served a sync chunk to Peer
	EvProbeReply                           // answered a probe from Peer: Version, FC what it said it holds; Syncing
	EvClientReply                          // answered client Peer: Version = commit version of a write
	EvMarkedClear                          // cleared the store on purpose (sync start, in-sync restart)
	EvPromise                              // promised PN to a collecting leader (persisted)
	EvAccept                               // accepted Version under PN (persisted) and acked it
	EvRead                                 // answered client Peer's read from state at Version, in Epoch
	EvRepairStart                          // a repair began or resumed: Start says how, Detail why
	EvRepairSource                         // the repair chose Peer (at lc Version) as its source: Detail says why
	EvRepairCompleted                      // the completed mark is durable, vouching for Version/Hash; Full: a full sync was used
	EvRepairSwitched                       // the repaired store replaced the damaged one: Version/Hash it holds, Epoch the rejoin fence
	EvRepairRejoined                       // the rejoin fence lifted: a quorum formed without me in Epoch
	EvBootstrap                            // the monitor left its role to probe again: Detail says why
	EvCorruptMsg                           // a message from Peer failed its checksum and was dropped
	EvRecorded                             // a collector event was applied: Record, Hash = the collector table's hash after it
	EvPageDamaged                          // the store opened with Page damaged, at lc Version: a page repair begins
	EvPageSource                           // Page will be fetched from Peer, at lc Version; Quorum: whose reports the choice saw
	EvPageInstalled                        // Page from Peer is durable, taken at Version; Bytes fetched; Local: it holds the monitor's own metadata
	EvPageRepairDone                       // every page is back and caught up: the state at Version hashes to Hash (no claim if Mixed: a full sync took over)
	EvPageServed                           // served Page to Peer at my lc Version
	EvPageFallback                         // damaged pages cannot be repaired page by page: a whole-store repair follows; Detail says why
	// EvResumeProvide: agreed to resume Peer's full sync from Resume.Base
	// (FC) with the fault-recovery snapshot at Resume.At (Version); Hash is
	// that snapshot's state hash, Resume its digests; Detail says how the
	// changes were found.
	EvResumeProvide
	EvResumeRefused // refused to resume Peer's full sync from Version: Detail says why (a ResumeRefusal)
	// EvSyncResume: Peer agreed to resume this monitor's full sync: Version
	// is its snapshot s2, FC the copy's base s1, Resume the copy before it.
	EvSyncResume
	// EvSyncResumed: the copy equals the provider's snapshot at Version (s2),
	// durably: Hash is the store's state hash, Resume its digests.
	EvSyncResumed
	numEventKinds
)

var eventNames = map[EventKind]string{
	EvStoreOpen: "store-open", EvStoreFailed: "store-failed", EvCommit: "commit", EvApply: "apply",
	EvVote: "vote", EvQuorum: "quorum", EvLease: "lease", EvSyncStart: "sync-start",
	EvSyncChunk: "sync-chunk", EvSyncFinish: "sync-finish", EvSyncAbort: "sync-abort", EvTrim: "trim",
	EvState: "state", EvProvide: "provide", EvProbeReply: "probe-reply", EvClientReply: "client-reply",
	EvMarkedClear: "marked-clear", EvPromise: "promise", EvAccept: "accept", EvRead: "read",
	EvRepairStart: "repair-start", EvRepairSource: "repair-source", EvRepairCompleted: "repair-completed",
	EvRepairSwitched: "repair-switched", EvRepairRejoined: "repair-rejoined", EvBootstrap: "bootstrap",
	EvCorruptMsg: "corrupt-msg", EvRecorded: "recorded", EvPageDamaged: "page-damaged", EvPageSource: "page-source", EvPageInstalled: "page-installed",
	EvPageRepairDone: "page-repair-done", EvPageServed: "page-served", EvPageFallback: "page-fallback",
	EvResumeProvide: "resume-provide", EvResumeRefused: "resume-refused", EvSyncResume: "sync-resume", EvSyncResumed: "sync-resumed",
}

func (k EventKind) String() string {
	if s, ok := eventNames[k]; ok {
		return s
	}
	return fmt.Sprintf("event-%d", k)
}

// EventKinds lists every event kind.
func EventKinds() []EventKind {
	out := make([]EventKind, 0, numEventKinds-1)
	for k := EvStoreOpen; k < numEventKinds; k++ {
		out = append(out, k)
	}
	return out
}

// MarshalText writes the kind's name.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads an event kind's name; an unknown name is an error.
func (k *EventKind) UnmarshalText(b []byte) error {
	for _, c := range EventKinds() {
		if eventNames[c] == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown monitor event %q", b)
}

// RepairStart says how a repair began or resumed (EvRepairStart).
type RepairStart uint8

const (
	RepairFresh            RepairStart = iota + 1 // the main store is unusable: a new repair
	RepairStartedOver                             // store.repair itself was damaged: discarded, a new repair
	RepairResumed                                 // a restart found store.repair marked started
	RepairResumedUnmarked                         // a restart found store.repair before its mark was durable
	RepairResumedCompleted                        // a restart found store.repair marked completed: switching
)

var repairStartNames = [...]string{"", "fresh", "started-over", "resumed", "resumed-unmarked", "resumed-completed"}

func (r RepairStart) String() string {
	if int(r) < len(repairStartNames) && r != 0 {
		return repairStartNames[r]
	}
	return fmt.Sprintf("repair-start-%d", r)
}

// New says whether this start begins a repair of a store that just broke,
// rather than resuming one.
func (r RepairStart) New() bool { return r == RepairFresh || r == RepairStartedOver }

// Event is one structured fact a monitor reports. Fields not named by the
// kind's comment are zero.
type Event struct {
	Kind    EventKind
	Rank    int
	Version uint64
	FC      uint64
	Hash    uint64
	Epoch   uint64
	Peer    int
	Quorum  uint64 // bit i set: rank i is in the quorum
	Full    bool
	Until   int64
	// PN is a proposal number: promised (EvPromise), accepted (EvAccept),
	// or, in EvStoreOpen, the recovered promise; Pending and PendingPN are
	// the recovered uncommitted value's version and pn.
	PN        uint64
	Pending   uint64
	PendingPN uint64
	Phase     Phase       // EvState: the phase entered
	Start     RepairStart // EvRepairStart: how the repair began
	Copy      bool        // EvStoreOpen: the store opened is the repair copy
	Syncing   bool        // EvProbeReply: it answered as a syncing, partial store
	Detail    string      // for people: why, in words; no program parses it
	// Record is the collector event applied (EvRecorded).
	Record CollectorEvent
	// Mixed (EvStoreOpen, EvApply): the store holds damaged pages, or pages
	// installed at a later version than Version, so its state is no
	// version's: Hash claims nothing.
	Mixed bool
	// Partial (EvStoreOpen): the store holds a full sync's partial copy,
	// kept to resume it: Version and Hash are no state of the history.
	Partial bool
	Page    int  // the page events': which page
	Local   bool // EvPageInstalled: the page holds the monitor's own Paxos metadata
	// Bytes is the state a sync chunk or page carried: sent (EvProvide) or
	// received (EvSyncChunk, EvPageInstalled). Resent (EvSyncChunk, a
	// full sync's snapshot part) is the bytes of keys an earlier attempt of
	// the same full sync had already made durable.
	Bytes, Resent int64
	Resume        *ResumeFacts // the resume kinds: the copy and its digests
}

// ResumeFacts describe a resumed full sync's copy (EvSyncResume,
// EvResumeProvide, EvSyncResumed).
type ResumeFacts struct {
	// Base and Top bound the versions the copy's keys were taken at (s1:
	// Base = Top unless an earlier resume was itself cut off).
	Base, Top uint64
	// At is s2, the version of the provider's fault-recovery snapshot.
	At uint64
	// Boundary is the copy's last key before the resume ("start" if none,
	// "end" if it had every key): the failed interval is what follows it.
	Boundary string
	// Copied and Interval digest the keys up to Boundary and after it: in
	// the provider's snapshot (EvResumeProvide), or in the copy once the
	// resume brought it to s2 (EvSyncResumed).
	Copied, Interval PartDigest
}
