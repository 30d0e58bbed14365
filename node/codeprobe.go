package node

import "github.com/monsim/monsim/node/kvstore"

// CodeProbe names a rare condition in the monitor or its store that a
// campaign should prove it reaches, as FoundationDB's CODE_PROBE does: a
// full sync abandoned midway, a provider refusing, an uncommitted value
// recovered by a collect. The monitor reports each through Env.Reached as
// it happens. Probes change nothing and inject nothing (those are probe
// points, Point); a host that does not count them ignores the call. A probe
// no campaign ever reaches marks a path no scenario drives.
type CodeProbe string

// CodeProbeInfo describes one code probe: its name, what reaching it
// means, and where it lives (file and function, checked by a test).
type CodeProbeInfo struct {
	Probe CodeProbe
	Means string
	Where string
}

// CodeProbes lists every code probe of the monitor and its store.
func CodeProbes() []CodeProbeInfo {
	out := append([]CodeProbeInfo(nil), codeProbes...)
	for _, p := range kvstore.CodeProbes() {
		out = append(out, CodeProbeInfo{Probe: CodeProbe(p.Probe), Means: p.Means, Where: "node/kvstore/" + p.Where})
	}
	return out
}

// reached reports a code probe.
func (m *Monitor) reached(p CodeProbe) { m.env.Reached(p) }

// The monitor's code probes, by protocol.
const (
	ProbeCorruptMessage CodeProbe = "msg/corrupt-dropped"

	ProbeProbeReplySyncingPeer CodeProbe = "probe/syncing-peer-ignored"
	ProbeProbeReplyBelowFloor  CodeProbe = "probe/peer-below-floor-ignored"

	ProbeBootWait           CodeProbe = "election/boot-wait"
	ProbeElectionTeachEpoch CodeProbe = "election/stale-proposer-taught"
	ProbeElectionFailed     CodeProbe = "election/no-majority"
	ProbeLostVictory        CodeProbe = "election/collect-stands-in-for-victory"

	ProbeCollectOutbid           CodeProbe = "paxos/collect-outbid"
	ProbeCollectRecovered        CodeProbe = "paxos/collect-recovered-uncommitted"
	ProbeWaitingOutOldLeases     CodeProbe = "paxos/new-leader-waits-out-old-leases"
	ProbeCatchUpPeon             CodeProbe = "paxos/leader-catches-up-peon"
	ProbePeonBehindTrim          CodeProbe = "paxos/peon-behind-leaders-trim"
	ProbeLeaderBehindTrim        CodeProbe = "paxos/leader-behind-peons-trim"
	ProbeBeginUnexpectedVersion  CodeProbe = "paxos/begin-for-unexpected-version"
	ProbeCommitUnexpectedVersion CodeProbe = "paxos/commit-for-unexpected-version"
	ProbeRoundResent             CodeProbe = "paxos/round-resent"

	ProbeLeaseRoundUnacked CodeProbe = "lease/round-unacked-in-time"
	ProbeLeaseRenewalLate  CodeProbe = "lease/renewal-late"
	ProbeFirstLeaseLate    CodeProbe = "lease/first-lease-late"
	ProbeLeaseStaleRound   CodeProbe = "lease/older-round-arrived-late"
	ProbeLeaseAckCatchUp   CodeProbe = "lease/ack-shows-peon-behind"
	ProbeReadWithoutLease  CodeProbe = "lease/read-refused-lease-expired"
	ProbeReadWhilePending  CodeProbe = "lease/read-refused-value-pending"

	ProbeRetryFromResultTable CodeProbe = "client/retry-answered-from-result-table"
	ProbeRetryInFlight        CodeProbe = "client/retry-while-in-flight"

	ProbeSyncNoCookie        CodeProbe = "sync/no-cookie"
	ProbeFullSyncAborted     CodeProbe = "sync/full-aborted-after-a-chunk"
	ProbeSyncChunkUnexpected CodeProbe = "sync/chunk-for-another-cookie-or-seq"
	ProbeFullSyncRestarted   CodeProbe = "sync/full-restarted-over-partial-copy"
	ProbeSyncStaleCookie     CodeProbe = "sync/stale-cookie-ignored"
	ProbeResumeSameProvider  CodeProbe = "sync/resumed-with-the-same-provider"
	ProbeResumeOtherProvider CodeProbe = "sync/resumed-with-another-provider"
	ProbeResumeRepairCopy    CodeProbe = "sync/resumed-a-repair-copy"
	ProbeResumeMixedCopy     CodeProbe = "sync/resume-of-a-copy-from-two-snapshots"
	ProbeResumeRefused       CodeProbe = "sync/resume-refused-copy-discarded"

	ProbeProvideRefusedBusy    CodeProbe = "provide/refused-while-syncing-or-repairing"
	ProbeProvideRefusedTrimmed CodeProbe = "provide/refused-requester-behind-trim"
	ProbeProvideDuplicate      CodeProbe = "provide/duplicate-chunk-request"
	ProbeProvideTrimmedMidSync CodeProbe = "provide/trimmed-during-session"
	ProbeProvideExpired        CodeProbe = "provide/session-expired"
	ProbeResumeFromLog         CodeProbe = "provide/resume-changes-from-log"
	ProbeResumeFromSnapshots   CodeProbe = "provide/resume-changes-by-comparing-snapshots"
	ProbeResumeRangeDelete     CodeProbe = "provide/resume-sends-a-range-delete"
	ProbeResumeNothingLeft     CodeProbe = "provide/resume-of-a-copy-holding-every-key"
	ProbeResumeRefusedOlder    CodeProbe = "provide/resume-refused-older-than-copy"
	ProbeResumeRefusedNoLog    CodeProbe = "provide/resume-refused-changes-unavailable"

	ProbeOpenIOError     CodeProbe = "boot/open-io-error"
	ProbeInSyncCleared   CodeProbe = "boot/partial-copy-cleared"
	ProbePartialCopyKept CodeProbe = "boot/partial-copy-kept-to-resume"
	ProbeSwitchAtBoot    CodeProbe = "boot/switch-finished-after-rename"
	ProbeMainStoreAbsent CodeProbe = "boot/main-store-missing"

	ProbeRepairCopyDamaged     CodeProbe = "repair/copy-damaged-started-over"
	ProbeRepairResumedUnmarked CodeProbe = "repair/resumed-before-mark-durable"
	ProbeRepairResumedSwitch   CodeProbe = "repair/resumed-at-switch"
	ProbeRepairIgnoredPeer     CodeProbe = "repair/reply-from-syncing-peer-ignored"
	ProbeRepairNoSyncNeeded    CodeProbe = "repair/copy-already-current"
	ProbeRejoinFenceLifted     CodeProbe = "repair/rejoin-fence-lifted"

	ProbeMarkedDown         CodeProbe = "record/collector-marked-down"
	ProbeBootWhileUp        CodeProbe = "record/boot-while-recorded-up"
	ProbeReportOtherSession CodeProbe = "record/report-from-unrecorded-session"

	ProbeCollectorRefused    CodeProbe = "subscribe/refused-out-of-quorum"
	ProbeFetchBelowFirst     CodeProbe = "subscribe/fetch-below-first-event"
	ProbeSubscriptionExpired CodeProbe = "subscribe/subscription-expired"

	ProbePageFallbackMetadata CodeProbe = "page/fallback-metadata-damaged"
	ProbePageFallbackPartial  CodeProbe = "page/fallback-store-partial-or-marked"
	ProbePageNoSource         CodeProbe = "page/no-eligible-source-yet"
	ProbePageSourceRepairing  CodeProbe = "page/source-repairing-its-own-pages"
	ProbePageServedRepairing  CodeProbe = "page/served-while-repairing"
	ProbePageFetchTimedOut    CodeProbe = "page/fetch-timed-out"
	ProbePageCatchUpResumed   CodeProbe = "page/catch-up-resumed-at-boot"
	ProbePageCatchUpFull      CodeProbe = "page/catch-up-by-full-sync"
	ProbePageNoCatchUp        CodeProbe = "page/installed-at-own-lc"
	ProbeVectorRowReset       CodeProbe = "vector/peer-went-back"
)

var codeProbes = []CodeProbeInfo{
	{ProbeCorruptMessage, "a message failed its checksum and was dropped", "node/monitor.go Deliver"},

	{ProbeProbeReplySyncingPeer, "a probe reply from a syncing monitor was not taken as a source", "node/probe.go handleProbeReply"},
	{ProbeProbeReplyBelowFloor, "a probe reply below the sync floor was refused", "node/probe.go handleProbeReply"},

	{ProbeBootWait, "a monitor that just booted waited a lease period before voting", "node/election.go startElection"},
	{ProbeElectionTeachEpoch, "an election answered a proposer of an older epoch with its own", "node/election.go handlePropose"},
	{ProbeElectionFailed, "an election round ended without a majority", "node/election.go electionTimeout"},
	{ProbeLostVictory, "a peon learned of a new quorum from the collect: its victory message was lost or overtaken", "node/paxos.go stepPaxos"},

	{ProbeCollectOutbid, "a collect met a higher promise and started over with a higher pn", "node/paxos.go handleLast"},
	{ProbeCollectRecovered, "a collect recovered an accepted, uncommitted value and proposed it again", "node/paxos.go afterCollect"},
	{ProbeWaitingOutOldLeases, "a new leader waited for an older epoch's leases to run out", "node/paxos.go afterCollect"},
	{ProbeCatchUpPeon, "a collect found a peon behind and sent it the versions it lacked", "node/paxos.go handleLast"},
	{ProbePeonBehindTrim, "a peon found the leader had trimmed past it and went to sync", "node/paxos.go handleCollect"},
	{ProbeLeaderBehindTrim, "a new leader found a peon had trimmed past it and went to sync", "node/paxos.go handleLast"},
	{ProbeBeginUnexpectedVersion, "a peon got a begin for a version other than lc+1", "node/paxos.go handleBegin"},
	{ProbeCommitUnexpectedVersion, "a commit carried a version other than lc+1 (a gap or a duplicate)", "node/paxos.go handleCommit"},
	{ProbeRoundResent, "the leader resent a collect or begin some peon had not answered", "node/paxos.go resendRound"},

	{ProbeLeaseRoundUnacked, "a leader stepped down: a lease round was not acked by every peon within the renewal window", "node/lease.go extendLease"},
	{ProbeLeaseRenewalLate, "a leader stepped down: its renewal came after the renewal window (a pause)", "node/lease.go extendLease"},
	{ProbeFirstLeaseLate, "a new leader stepped down: its first lease would have come more than the renewal window after the collect or begin its peons answered", "node/lease.go extendLease"},
	{ProbeLeaseStaleRound, "a peon got an older lease round after a newer one, and kept the newer", "node/lease.go handleLease"},
	{ProbeLeaseAckCatchUp, "a lease ack showed a peon missing commits, and the leader resent them", "node/lease.go handleLeaseAck"},
	{ProbeReadWithoutLease, "a peon refused a read: its lease had run out", "node/lease.go readable"},
	{ProbeReadWhilePending, "a peon refused a read: it held an accepted value not yet committed, or lagged its lease's lc", "node/lease.go readable"},

	{ProbeRetryFromResultTable, "a retried write was answered from the replicated result table", "node/service.go settled"},
	{ProbeRetryInFlight, "a retried write was already queued or in flight, and was not proposed twice", "node/service.go queueWrite"},

	{ProbeSyncNoCookie, "a sync requester was told NO_COOKIE and went back to probing", "node/sync.go stepSync"},
	{ProbeFullSyncAborted, "a full sync was abandoned after at least one chunk", "node/sync.go abortSync"},
	{ProbeSyncChunkUnexpected, "a requester dropped a chunk of another cookie or sequence number", "node/sync.go stepSync"},
	{ProbeFullSyncRestarted, "a full sync started over a partial copy, keeping the sync floor", "node/sync.go startCopy"},
	{ProbeSyncStaleCookie, "a requester ignored a cookie that answered an earlier attempt, delayed", "node/sync.go stepSync"},
	{ProbeResumeSameProvider, "a provider agreed to resume a full sync whose copy it had been giving", "node/resume.go resumeAccepted"},
	{ProbeResumeOtherProvider, "a provider agreed to resume a full sync whose copy came from another monitor", "node/resume.go resumeAccepted"},
	{ProbeResumeRepairCopy, "a repair's full sync was resumed into store.repair, as a plain one is", "node/resume.go resumeAccepted"},
	{ProbeResumeMixedCopy, "a resume was asked for a copy whose keys came from two snapshots: an earlier resume was cut off", "node/resume.go resumeRequest"},
	{ProbeResumeRefused, "a provider refused to resume: the copy was discarded and the sync starts over", "node/resume.go resumeRefused"},

	{ProbeProvideRefusedBusy, "a provider refused a cookie: it was syncing, partial or repairing", "node/provide.go handleGetCookie"},
	{ProbeProvideRefusedTrimmed, "a provider refused a recent sync: it had trimmed past the requester", "node/provide.go handleGetCookie"},
	{ProbeProvideDuplicate, "a provider ignored a duplicated chunk request", "node/provide.go handleGetChunk"},
	{ProbeProvideTrimmedMidSync, "a provider trimmed past a session's next version and ended it", "node/provide.go handleGetChunk"},
	{ProbeProvideExpired, "a provider session expired unfinished", "node/provide.go expireProvision"},
	{ProbeResumeFromLog, "a provider found a resume's changes in its log of versions s1+1..s2", "node/provideresume.go resumeChanges"},
	{ProbeResumeFromSnapshots, "a provider found a resume's changes by comparing its snapshots at s1 and s2 (its log was trimmed past s1)", "node/provideresume.go resumeChanges"},
	{ProbeResumeRangeDelete, "a resume's change set deleted a range of the copy: a prefix delete or a trim", "node/provideresume.go logChanges"},
	{ProbeResumeNothingLeft, "a resumed copy held every key already: only the changes since s1 were left", "node/provideresume.go handleResume"},
	{ProbeResumeRefusedOlder, "a provider refused to resume a copy newer than its own state", "node/provideresume.go handleResume"},
	{ProbeResumeRefusedNoLog, "a provider refused to resume: it could produce the changes since s1 neither from its log nor from a snapshot", "node/provideresume.go resumeChanges"},

	{ProbeOpenIOError, "the store failed to open with an I/O error: the monitor stopped, no repair", "node/boot.go Start"},
	{ProbeInSyncCleared, "a store left mid full sync with nothing to resume from was cleared at boot", "node/boot.go clearPartial"},
	{ProbePartialCopyKept, "a store left mid full sync was kept at boot, to resume the sync", "node/boot.go load"},
	{ProbeSwitchAtBoot, "a boot found the main store holding a completed mark: the switch's rename had happened", "node/boot.go Start"},
	{ProbeMainStoreAbsent, "the main store was missing at boot and was not recreated", "node/boot.go openMain"},

	{ProbeRepairCopyDamaged, "store.repair itself was damaged: thrown away, repair started over", "node/repair.go resumeRepair"},
	{ProbeRepairResumedUnmarked, "a repair resumed from store.repair whose started mark was never durable", "node/repair.go resumeRepair"},
	{ProbeRepairResumedSwitch, "a repair resumed from a completed mark, straight to the switch", "node/repair.go resumeRepair"},
	{ProbeRepairIgnoredPeer, "a repair ignored a probe reply from a syncing or repairing monitor", "node/repair.go repairProbeReply"},
	{ProbeRepairNoSyncNeeded, "a repair's copy already held as much as the chosen source", "node/repair.go repairFrom"},
	{ProbeRejoinFenceLifted, "a repaired monitor saw a quorum form without it and may vote again", "node/switch.go maybeLiftFence"},

	{ProbeMarkedDown, "the leader marked down a collector whose reports stopped arriving", "node/record.go checkCollectors"},
	{ProbeBootWhileUp, "a collector booted while the events said it was up: its old session's stop was recorded first", "node/record.go collectorOps"},
	{ProbeReportOtherSession, "a status report came from a session the events do not hold (marked down, or restarted)", "node/record.go noteReport"},

	{ProbeCollectorRefused, "a monitor outside a quorum, or with a partial store, refused a collector", "node/subscribe.go handleCollector"},
	{ProbeFetchBelowFirst, "a collector fetched events trimmed since it asked what follows its last one", "node/subscribe.go answerFetch"},
	{ProbeSubscriptionExpired, "a subscription ended: its collector fell silent", "node/subscribe.go pushEvents"},

	{ProbePageFallbackMetadata, "damage reached a page of the monitor's own metadata: a whole-store repair instead", "node/pagerepair.go pageRepairRefused"},
	{ProbePageFallbackPartial, "damaged pages in a store that was partial or held a repair mark: a whole-store repair instead", "node/pagerepair.go pageRepairRefused"},
	{ProbePageNoSource, "a majority of the others reported, but some damaged page had no source at the monitor's own lc or above", "node/pagerepair.go chooseSources"},
	{ProbePageSourceRepairing, "a page was taken from a monitor repairing pages of its own", "node/pagerepair.go chooseSources"},
	{ProbePageServedRepairing, "a monitor repairing its own pages served an intact one", "node/pagerepair.go handlePageFetch"},
	{ProbePageFetchTimedOut, "a page source did not answer in time: a new round", "node/pagerepair.go pageFetchTimedOut"},
	{ProbePageCatchUpResumed, "a boot found installed pages ahead of lc: the catch-up resumed", "node/pagerepair.go loadPageRepair"},
	{ProbePageCatchUpFull, "a page repair's catch-up had to use a full sync: the source had trimmed past the monitor", "node/pagerepair.go catchUpFrom"},
	{ProbePageNoCatchUp, "pages were installed at the monitor's own lc: nothing to catch up", "node/pagerepair.go installPages"},
	{ProbeVectorRowReset, "a peer's LSN report showed its lc went back (a clear or a rebuild): its vector row starts over", "node/lsnvec.go mergeReport"},
}
