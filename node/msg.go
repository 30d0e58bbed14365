package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// MsgType names a message. Probe, election, paxos and sync messages travel
// between monitors; the client ones between monitors and clients.
type MsgType uint8

const (
	MProbe MsgType = iota + 1
	MProbeReply
	MPropose
	MAck
	MVictory
	MCollect
	MLast
	MBegin
	MAccept
	MCommit
	MLease
	MLeaseAck
	MSyncGetCookie
	MSyncCookie
	MSyncGetChunk
	MSyncChunk
	MSyncNoCookie
	MClientRequest
	MClientReply
	MForward
	// Collectors and the monitors (collectorevent.go, record.go,
	// subscribe.go). Seq carries the collector's id, Cookie its session.
	MColBoot    // collector -> monitor: I booted (Cookie, V = status); a peon forwards it to the leader
	MColStatus  // collector -> monitor: still here (Cookie, V = status, LC = last confirmed); forwarded too
	MColAck     // monitor -> collector: FC..LC are the events held; FlagInQuorum unless refused, FlagSubscribed if it pushes to it
	MColQuery   // collector -> monitor: what follows LC (its last confirmed event)?
	MColSummary // monitor -> collector: FC..LC are held; events after LC will be pushed
	MColFetch   // collector -> monitor: send events FC..LC, or with FlagFull the full state
	MColEvents  // monitor -> collector: a fetch's answer: Versions (V = seq, Value = event), or FlagFull: Value = table at FC, Hash
	MColPush    // monitor -> collector: new events as they are applied
	MPageProbe  // a page repair asks for the LSNs of its damaged pages
	MPageReport // ...and is told them, with what the sender knows of the others'
	MPageFetch  // a page repair asks for pages
	MPageData   // one page, at the sender's last committed version
	msgTypeEnd
)

var msgNames = [...]string{"", "probe", "probe-reply", "propose", "ack", "victory", "collect", "last",
	"begin", "accept", "commit", "lease", "lease-ack", "sync-get-cookie", "sync-cookie", "sync-get-chunk",
	"sync-chunk", "sync-no-cookie", "client-request", "client-reply", "forward",
	"col-boot", "col-status", "col-ack", "col-query", "col-summary", "col-fetch", "col-events", "col-push",
	"page-probe", "page-report", "page-fetch", "page-data"}

func (t MsgType) String() string {
	if t > 0 && t < msgTypeEnd {
		return msgNames[t]
	}
	return fmt.Sprintf("msg-%d", t)
}

// Message flags.
const (
	FlagSyncing    uint16 = 1 << iota // probe reply: the sender is syncing
	FlagRepairing                     // probe reply: the sender is repairing its store
	FlagFull                          // sync: a full (not recent) sync
	FlagLast                          // sync chunk: the last one
	FlagInQuorum                      // probe reply: the sender is in a quorum
	FlagSubscribed                    // collector ack: the sender pushes events to this collector
	FlagPageRepair                    // page report: the sender is repairing pages of its own
	FlagRefused                       // page data: the sender cannot serve the page now
	FlagResume                        // full sync: resume a partial copy (request, cookie, refusal)
	FlagSnapDone                      // full-sync chunk: with it the copy is the provider's snapshot, whole
)

// Version is one paxos version and its transaction.
type Version struct {
	V     uint64
	Value []byte
}

// Pair is one raw store key and value, as a full sync copies them.
type Pair struct {
	Key   string
	Value []byte
}

// ChangeKind says what a Change does.
type ChangeKind uint8

const (
	ChangePut         ChangeKind = iota + 1 // set Key to Value
	ChangeDelete                            // remove Key
	ChangeDeleteRange                       // remove every key from Key up to End, End excluded
)

// Change is one edit a resumed full sync makes to the part of the copy it
// already had, bringing it from the copy's version to the provider's.
type Change struct {
	Kind  ChangeKind
	Key   string
	End   string // ChangeDeleteRange only
	Value []byte // ChangePut only
}

func (c *Change) size() int { return len(c.Key) + len(c.End) + len(c.Value) }

// PageLSN says that monitor Rank holds page Page at LSN: a page LSN report
// (Rank is the sender), what the sender knows of another monitor's page
// (its LSN vector), or, in a request, a page asked for.
type PageLSN struct {
	Page int
	Rank int
	LSN  uint64
}

// Msg is every message, raft-style: one flat struct, with each type using
// the fields its handler reads. All fields are always encoded, so the
// encoding is one fixed layout.
type Msg struct {
	Type      MsgType
	From      int // sender's rank (monitors) or endpoint (clients)
	Epoch     uint64
	PN        uint64
	FC, LC    uint64
	V         uint64 // begin/accept version, or a peer's pending version
	PendingPN uint64
	Value     []byte
	Quorum    uint64
	Leader    int // -1 for none
	Flags     uint16
	Cookie    uint64
	Seq       uint64
	Until     int64
	Hash      uint64 // last sync chunk: the provider's state hash at LC
	Versions  []Version
	Pairs     []Pair
	Op        ClientOp
	// Pages: page LSNs reported, or pages asked for. A report covers every
	// page of the sender whose LSN is above Since.
	Pages []PageLSN
	Since uint64
	// VecAsOf[r] is how far the sender's LSN vector row for rank r is
	// complete (rank r's lc when it last reported): the receiver reports
	// only the pages it changed since (probes and leases).
	VecAsOf []uint64
	// Changes (a resumed full sync's chunk) is encoded after everything
	// else, and only when there are some: no other message changes bytes.
	Changes []Change
}

// stateBytes is how many bytes of state a sync chunk or page carries: its
// keys, values, changes and versions.
func (m *Msg) stateBytes() int64 {
	var n int64
	for _, p := range m.Pairs {
		n += int64(len(p.Key) + len(p.Value))
	}
	for i := range m.Changes {
		n += int64(m.Changes[i].size())
	}
	for _, v := range m.Versions {
		n += int64(len(v.Value))
	}
	return n
}

// Has reports whether every bit of flag is set.
func (m *Msg) Has(flag uint16) bool { return m.Flags&flag == flag }

// ErrCorruptMsg is returned for a message whose checksum or layout is bad:
// the receiver drops it.
var ErrCorruptMsg = errors.New("corrupt message")

// Encode returns the message's bytes: a CRC32C of the body, then the body.
func (m *Msg) Encode() []byte {
	e := encoder{b: make([]byte, 4, 64+len(m.Value))}
	e.u8(uint8(m.Type))
	e.varint(int64(m.From))
	e.uvarint(m.Epoch)
	e.uvarint(m.PN)
	e.uvarint(m.FC)
	e.uvarint(m.LC)
	e.uvarint(m.V)
	e.uvarint(m.PendingPN)
	e.bytes(m.Value)
	e.uvarint(m.Quorum)
	e.varint(int64(m.Leader))
	e.uvarint(uint64(m.Flags)) // one byte, as a u8 was, below 128
	e.uvarint(m.Cookie)
	e.uvarint(m.Seq)
	e.varint(m.Until)
	e.uvarint(m.Hash)
	e.uvarint(uint64(len(m.Versions)))
	for _, v := range m.Versions {
		e.uvarint(v.V)
		e.bytes(v.Value)
	}
	e.uvarint(uint64(len(m.Pairs)))
	for _, p := range m.Pairs {
		e.str(p.Key)
		e.bytes(p.Value)
	}
	m.Op.encode(&e)
	e.uvarint(uint64(len(m.Pages)))
	for _, p := range m.Pages {
		e.uvarint(uint64(p.Page))
		e.varint(int64(p.Rank))
		e.uvarint(p.LSN)
	}
	e.uvarint(m.Since)
	e.uvarint(uint64(len(m.VecAsOf)))
	for _, v := range m.VecAsOf {
		e.uvarint(v)
	}
	if len(m.Changes) > 0 {
		e.uvarint(uint64(len(m.Changes)))
		for _, c := range m.Changes {
			e.u8(uint8(c.Kind))
			e.str(c.Key)
			e.str(c.End)
			e.bytes(c.Value)
		}
	}
	binary.LittleEndian.PutUint32(e.b, crc32.Checksum(e.b[4:], castagnoli))
	return e.b
}

// MsgChecksumHolds says whether an encoded message's CRC32C holds. One that
// holds and still fails DecodeMsg was written or read wrong, not damaged on
// the wire.
func MsgChecksumHolds(b []byte) bool {
	return len(b) >= 5 && binary.LittleEndian.Uint32(b) == crc32.Checksum(b[4:], castagnoli)
}

// DecodeMsg parses and verifies a message.
func DecodeMsg(b []byte) (Msg, error) {
	var m Msg
	if !MsgChecksumHolds(b) {
		return m, ErrCorruptMsg
	}
	d := decoder{b: b[4:]}
	m.Type = MsgType(d.u8())
	m.From = int(d.varint())
	m.Epoch = d.uvarint()
	m.PN = d.uvarint()
	m.FC = d.uvarint()
	m.LC = d.uvarint()
	m.V = d.uvarint()
	m.PendingPN = d.uvarint()
	m.Value = d.bytes()
	m.Quorum = d.uvarint()
	m.Leader = int(d.varint())
	m.Flags = uint16(d.uvarint())
	m.Cookie = d.uvarint()
	m.Seq = d.uvarint()
	m.Until = d.varint()
	m.Hash = d.uvarint()
	if n := d.count(); n > 0 {
		m.Versions = make([]Version, n)
		for i := range m.Versions {
			m.Versions[i] = Version{V: d.uvarint(), Value: d.bytes()}
		}
	}
	if n := d.count(); n > 0 {
		m.Pairs = make([]Pair, n)
		for i := range m.Pairs {
			m.Pairs[i] = Pair{Key: d.str(), Value: d.bytes()}
		}
	}
	m.Op.decode(&d)
	if n := d.count(); n > 0 {
		m.Pages = make([]PageLSN, n)
		for i := range m.Pages {
			m.Pages[i] = PageLSN{Page: int(d.uvarint()), Rank: int(d.varint()), LSN: d.uvarint()}
		}
	}
	m.Since = d.uvarint()
	if n := d.count(); n > 0 {
		m.VecAsOf = make([]uint64, n)
		for i := range m.VecAsOf {
			m.VecAsOf[i] = d.uvarint()
		}
	}
	if d.err == nil && len(d.b) > 0 {
		n := d.count()
		m.Changes = make([]Change, n)
		for i := range m.Changes {
			m.Changes[i] = Change{Kind: ChangeKind(d.u8()), Key: d.str(), End: d.str(), Value: d.bytes()}
		}
	}
	if d.err != nil || len(d.b) != 0 || m.Type == 0 || m.Type >= msgTypeEnd {
		return Msg{}, ErrCorruptMsg
	}
	return m, nil
}
