package node

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"

	"github.com/monsim/monsim/node/kvstore"
)

// Phase is where a monitor is in its life, as Ceph's monitor states.
type Phase uint8

const (
	PhaseBooting    Phase = iota // the store is not open yet
	PhaseProbing                 // asking the others where the cluster is
	PhaseElecting                // an election is running
	PhaseSyncing                 // copying state from a provider
	PhaseLeader                  // leads the quorum
	PhasePeon                    // a quorum member following the leader
	PhaseBroken                  // the store cannot be used: the monitor does nothing
	PhaseRepairing               // rebuilding a broken store: probing for a safe source
	PhasePageRepair              // replacing damaged pages, or catching up past installed ones: out of the cluster
)

var phaseNames = [...]string{"booting", "probing", "electing", "syncing", "leader", "peon", "broken", "repairing", "page-repair"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase-%d", p)
}

// InQuorum says whether a monitor in this phase belongs to a quorum.
func (p Phase) InQuorum() bool { return p == PhaseLeader || p == PhasePeon }

// MarshalText writes the phase's name.
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a phase's name; an unknown name is an error.
func (p *Phase) UnmarshalText(b []byte) error {
	for i, n := range phaseNames {
		if n == string(b) {
			*p = Phase(i)
			return nil
		}
	}
	return fmt.Errorf("unknown monitor phase %q", b)
}

// timerKind is the low byte of a timer tag; the rest carries an argument.
type timerKind uint8

const (
	tProbe       timerKind = iota // re-probe
	tElection                     // the election round ends
	tBootWait                     // a just-booted monitor may vote from now on
	tPaxos                        // a collect or begin round timed out
	tLeaseRenew                   // the leader renews leases
	tLeaseExpire                  // a peon heard no lease for too long
	tSync                         // a sync requester heard no chunk for too long
	tPropose                      // the leader proposes the writes it gathered
	tActivate                     // a new leader's wait for old leases is over
	tResend                       // the leader resends an unanswered collect or begin
	tProvider                     // a provider session expires (arg: cookie)
	tLeaseResend                  // the leader resends an unacked lease round
	tCollectors                   // the leader looks for collectors gone silent
	tPageFetch                    // a page repair heard no page data for too long
	numTimers
)

// Monitor is one ceph-mon-like monitor: a pure state machine driven by
// Start, Deliver and Fire. Its role-specific behaviour lives in one file per
// protocol: probe.go, election.go, paxos.go, lease.go, sync.go, resume.go,
// provide.go, provideresume.go, service.go.
type Monitor struct {
	cfg       Config
	env       Env
	store     *kvstore.Store
	phase     Phase
	timers    [numTimers]TimerID
	armed     [numTimers]bool
	bootAt    int64
	bootFresh bool  // the store had never been through an election at boot
	err       error // set once the store failed: the monitor is dead

	// Persisted state, mirrored in memory.
	fc, lc              uint64
	epoch               uint64
	acceptedPN, lastPN  uint64
	pendingV, pendingPN uint64
	pendingVal          []byte
	floor               uint64
	inSync              bool     // a full sync cleared the store and has not finished
	prog                progress // how far that full sync's copy got (progress.go)
	stateHash           uint64
	highestEpochSeen    uint64
	leader              int    // -1 when unknown
	quorum              uint64 // bit i: rank i is in my quorum

	probe probing
	elect electing
	px    paxosRun
	sync  syncing
	prov  providers
	svc   service
	rep   repairState
	rec   recording
	subs  map[int]*subscription // collectors subscribed to the events, by endpoint
	pr    pageRepair
	vec   lsnVectors
}

// New returns a monitor that will boot on Start.
func New(cfg Config, env Env) *Monitor {
	cfg = cfg.withDefaults()
	return &Monitor{cfg: cfg, env: env, leader: -1, prog: emptyProgress()}
}

// Phase is the monitor's current phase.
func (m *Monitor) Phase() Phase { return m.phase }

// LastCommitted is the newest version the monitor holds.
func (m *Monitor) LastCommitted() uint64 { return m.lc }

// Epoch is the election epoch.
func (m *Monitor) Epoch() uint64 { return m.epoch }

// Quorum is the current quorum bitmask (0 when out of quorum).
func (m *Monitor) Quorum() uint64 { return m.quorum }

// Leader is the leader's rank, or -1.
func (m *Monitor) Leader() int { return m.leader }

// Deliver handles one message. Corrupt messages are dropped.
func (m *Monitor) Deliver(from int, b []byte) {
	if m.store == nil || m.err != nil {
		return
	}
	msg, err := DecodeMsg(b)
	if err != nil {
		m.reached(ProbeCorruptMessage)
		m.emit(Event{Kind: EvCorruptMsg, Peer: from})
		return
	}
	msg.From = from
	m.dispatch(&msg)
}

func (m *Monitor) dispatch(msg *Msg) {
	switch msg.Type {
	case MProbe:
		m.handleProbe(msg)
	case MProbeReply:
		m.handleProbeReply(msg)
	case MPropose:
		m.handlePropose(msg)
	case MAck:
		m.handleAck(msg)
	case MVictory:
		m.handleVictory(msg)
	case MCollect, MLast, MBegin, MAccept, MCommit, MLease, MLeaseAck:
		m.stepPaxos(msg)
	case MSyncGetCookie:
		m.handleGetCookie(msg)
	case MSyncGetChunk:
		m.handleGetChunk(msg)
	case MSyncCookie, MSyncChunk, MSyncNoCookie:
		m.stepSync(msg)
	case MClientRequest, MForward:
		m.handleClient(msg)
	case MColBoot, MColStatus, MColQuery, MColFetch:
		m.handleCollector(msg)
	case MPageProbe:
		m.handlePageProbe(msg)
	case MPageReport:
		m.handlePageReport(msg)
	case MPageFetch:
		m.handlePageFetch(msg)
	case MPageData:
		m.handlePageData(msg)
	}
}

// Fire handles a timer.
func (m *Monitor) Fire(id TimerID, tag uint64) {
	if m.store == nil || m.err != nil {
		return
	}
	kind := timerKind(tag & 0xff)
	if kind == tProvider {
		m.expireProvision(tag >> 8)
		return
	}
	if !m.armed[kind] || m.timers[kind] != id {
		return
	}
	m.armed[kind] = false
	switch kind {
	case tProbe:
		m.probeAgain()
	case tElection:
		m.electionTimeout()
	case tBootWait:
		if m.phase == PhaseProbing {
			m.probeAgain()
		}
	case tPaxos:
		m.bootstrapBecause("paxos round timed out")
	case tLeaseRenew:
		m.extendLease()
	case tLeaseExpire:
		m.bootstrapBecause("lease expired")
	case tSync:
		m.abortSync("sync timed out")
	case tActivate:
		if m.px.waitingOldLeases {
			m.afterCollect()
			return
		}
		m.proposePending()
	case tPropose:
		m.proposePending()
	case tLeaseResend:
		m.resendLease()
	case tPageFetch:
		m.pageFetchTimedOut()
	case tResend:
		m.resendRound()
	case tCollectors:
		m.checkCollectors()
	}
}

func (m *Monitor) arm(kind timerKind, d int64) {
	m.disarm(kind)
	m.timers[kind] = m.env.SetTimer(d, uint64(kind))
	m.armed[kind] = true
}

func (m *Monitor) disarm(kind timerKind) {
	if m.armed[kind] {
		m.env.CancelTimer(m.timers[kind])
		m.armed[kind] = false
	}
}

func (m *Monitor) disarmAll() {
	for k := range numTimers {
		if k != tProvider {
			m.disarm(k)
		}
	}
}

func (m *Monitor) emit(ev Event) {
	ev.Rank = m.cfg.Rank
	m.env.Emit(ev)
}

func (m *Monitor) setPhase(p Phase) {
	if m.phase != p {
		m.phase = p
		m.emit(Event{Kind: EvState, Phase: p, Epoch: m.epoch})
	}
}

func (m *Monitor) stamp(msg *Msg) []byte {
	msg.From = m.cfg.Rank
	if msg.Epoch == 0 {
		msg.Epoch = m.epoch
	}
	return msg.Encode()
}

func (m *Monitor) send(to int, msg *Msg) { m.env.Send(to, m.stamp(msg)) }

// sendQuorum sends msg to every other quorum member, encoded once.
func (m *Monitor) sendQuorum(msg *Msg) { m.broadcast(msg, m.quorum) }

// sendOthers sends msg to every other monitor of the monmap.
func (m *Monitor) sendOthers(msg *Msg) { m.broadcast(msg, m.allMonitors()) }

func (m *Monitor) broadcast(msg *Msg, to uint64) {
	enc := m.stamp(msg)
	for r := range m.cfg.Monitors {
		if r != m.cfg.Rank && to&(1<<r) != 0 {
			m.env.Send(r, enc)
		}
	}
}

// apply writes a batch durably. A store error is fatal, as in ceph-mon:
// after a failed write or fsync nothing the store says can be trusted.
func (m *Monitor) apply(b *kvstore.Batch, sync bool) bool {
	if err := m.store.Apply(b, sync); err != nil {
		m.fail(err)
		return false
	}
	return true
}

// fail stops the monitor for good on a store error; its host restarts it.
func (m *Monitor) fail(err error) {
	if m.err != nil {
		return
	}
	m.err = fmt.Errorf("monitor %d: store failed: %w", m.cfg.Rank, err)
	m.emit(Event{Kind: EvStoreFailed, Detail: err.Error()})
	m.disarmAll()
	m.setPhase(PhaseBroken)
	m.env.Stopped(m.err)
}

func (m *Monitor) isQuorumMember(r int) bool { return m.quorum&(1<<r) != 0 }

func popcount(x uint64) int { return bits.OnesCount64(x) }

func (m *Monitor) allMonitors() uint64 { return 1<<m.cfg.Monitors - 1 }

func (m *Monitor) persistU64(key string, v uint64) bool {
	var b kvstore.Batch
	b.Put(key, u64(v))
	return m.apply(&b, true)
}

func clearPending(b *kvstore.Batch) {
	b.Delete(keyPendingV)
	b.Delete(keyPendingPN)
	b.Delete(keyPendingVal)
}

// Leftovers lists what the monitor should have cleaned up by now and has
// not: store files of other generations, a repair directory it is not
// using, sync sessions idle past their expiry. A host may call it at any
// time; the harness does once the cluster has healed.
func (m *Monitor) Leftovers() []string {
	var out []string
	if m.store != nil {
		names, err := m.store.Leftovers()
		if err != nil {
			out = append(out, "store directory unreadable: "+err.Error())
		}
		for _, n := range names {
			out = append(out, "store file "+n)
		}
	}
	if !m.rep.active && m.err == nil {
		if there, err := exists(m.env.FS(), m.cfg.repairDir()); there {
			out = append(out, m.cfg.repairDir()+" while not repairing")
		} else if err != nil {
			out = append(out, m.cfg.repairDir()+" unreadable: "+err.Error())
		}
	}
	now := m.env.Now()
	for _, cookie := range slices.Sorted(maps.Keys(m.prov.sessions)) {
		if s := m.prov.sessions[cookie]; now-s.touched > 2*m.cfg.SyncTimeout+m.cfg.skew(now) {
			out = append(out, fmt.Sprintf("sync session %d for rank %d idle %.3fs, past its expiry", cookie, s.requester, float64(now-s.touched)/1e9))
		}
	}
	return out
}
