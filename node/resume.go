package node

import (
	"fmt"

	"github.com/monsim/monsim/node/kvstore"
)

// Resuming a full sync, requester side (the provider's is
// provideresume.go). A full sync that breaks off (the provider dies, the
// requester crashes or loses power, a write fails, the link goes quiet)
// keeps its partial copy and, with it, its progress: the last key made
// durable and the versions s1 its keys were taken at (progress.go). Asked
// for a full sync again, it asks its provider, the same as before or
// another, to resume: it sends s1 and where the copy stopped. A provider
// that agrees pins a fault-recovery snapshot at its own version s2 >= s1,
// sends the keys after that point as of s2 (the failed interval), then the
// changes between s1 and s2 of the keys already copied, deletions and
// prefix deletes included; the copy is then the provider's state at s2, and
// the versions after s2 follow as in any full sync. A provider that cannot
// (its state is older than the copy, it holds neither the log nor a
// snapshot to tell the changes since s1, or its version s1 is another
// value) refuses with its reason: the requester discards the copy and
// starts over. Throughout, the store stays marked in-sync: a partial copy
// never votes, provides or answers a probe as whole, however often it is
// resumed.

// ResumeRefusal is a provider's reason to refuse a resume.
type ResumeRefusal uint8

const (
	RefusedOlder     ResumeRefusal = iota + 1 // the provider's state is older than the copy
	RefusedNoChanges                          // it cannot produce the changes since s1
	RefusedIdentity                           // its version s1 is another value: the copy is of another history
)

var refusalNames = [...]string{"", "provider older than the copy", "changes since s1 unavailable", "sync identity mismatch"}

func (r ResumeRefusal) String() string {
	if r > 0 && int(r) < len(refusalNames) {
		return refusalNames[r]
	}
	return fmt.Sprintf("refusal-%d", r)
}

// resumeRequest turns a full sync's cookie request into a resume if the
// copy holds anything: s1 (LC the copy's oldest version, V its newest), the
// identity of s1 (Hash) and how far it got (Value).
func (m *Monitor) resumeRequest(req *Msg) {
	p := m.prog
	if !m.inSync || m.cfg.NoResume || p.copiedNothing() {
		return
	}
	if p.copied.done() && p.base == p.top {
		// Every key is in and the copy is at one version: the redo versions
		// since its snapshot moved it on, one whole version at a time.
		p.base, p.top = m.lc, m.lc
		p.ident, _ = versionIdent(m.store, m.lc)
	}
	if p.base < p.top {
		m.reached(ProbeResumeMixedCopy)
	}
	var e encoder
	p.copied.encode(&e)
	req.Flags |= FlagResume
	req.LC, req.V, req.Hash, req.Value = p.base, p.top, p.ident, e.b
	m.sync.asked, m.sync.boundary, m.sync.base, m.sync.top = true, p.copied, p.base, p.top
	m.prog.base, m.prog.top, m.prog.ident = p.base, p.top, p.ident // what the next write records
}

// resumeAccepted starts pulling a resumed sync's chunks. Nothing is written
// until the first one arrives: the copy is as it was.
func (m *Monitor) resumeAccepted(msg *Msg) {
	if m.prog.provider == msg.From {
		m.reached(ProbeResumeSameProvider)
	} else {
		m.reached(ProbeResumeOtherProvider)
	}
	if m.rep.active {
		m.reached(ProbeResumeRepairCopy)
	}
	m.sync.resumed, m.sync.at, m.sync.ident = true, msg.V, msg.Hash
	m.emit(Event{Kind: EvSyncResume, Peer: msg.From, Version: msg.V, FC: m.sync.base, Full: true,
		Resume: &ResumeFacts{Base: m.sync.base, Top: m.sync.top, At: msg.V, Boundary: m.sync.boundary.String()}})
	m.env.Point(PointSyncResumeAccepted)
	m.sync.cookie = msg.Cookie
	m.requestChunk()
}

// resumedAtSnapshot reports that the copy is now the provider's snapshot at
// s2, with the digests the checkers compare against the provider's.
func (m *Monitor) resumedAtSnapshot() {
	copied, interval := digest(m.store, m.sync.boundary)
	m.emit(Event{Kind: EvSyncResumed, Peer: m.sync.provider, Version: m.sync.at, Hash: m.stateHash, Full: true,
		Resume: &ResumeFacts{Base: m.sync.base, Top: m.sync.top, At: m.sync.at, Boundary: m.sync.boundary.String(),
			Copied: copied, Interval: interval}})
	m.env.Point(PointSyncResumeAtSnapshot)
}

// resumeRefused discards the copy the provider would not resume, durably,
// and goes back to probing: the next provider starts the sync over. The
// store stays in-sync, with its floor; only how far the sync ever got
// stays, to count what is sent again.
func (m *Monitor) resumeRefused(why ResumeRefusal) {
	m.reached(ProbeResumeRefused)
	m.emit(Event{Kind: EvSyncAbort, Peer: m.sync.provider, Detail: "resume refused: " + why.String()})
	prog := progress{provider: -1, high: m.prog.high}
	var b kvstore.Batch
	for _, p := range replicatedPrefixes {
		b.DeletePrefix(p)
	}
	b.Put(keySyncProgress, prog.encode())
	if !m.apply(&b, true) {
		return
	}
	m.prog = prog
	m.fc, m.lc, m.stateHash = 0, 0, 0
	m.emit(Event{Kind: EvMarkedClear, Detail: "resume refused: copy discarded"})
	m.env.Point(PointSyncResumeRefused)
	m.sync = syncing{}
	m.bootstrap()
}
