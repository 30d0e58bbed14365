package collector

import (
	"fmt"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
)

// timerKind is a timer's tag.
type timerKind uint8

const (
	tReport timerKind = iota // report the status; look for a new monitor if the session went silent
	tFetch                   // a query or fetch went unanswered
	numTimers
)

// Collector is one collector: a pure state machine driven by Start, Deliver
// and Fire. Its reports and sessions live in session.go, its catch-up in
// catchup.go, its log on disk in store.go.
type Collector struct {
	cfg    Config
	env    Env
	store  *kvstore.Store
	err    error // set once the store failed: the collector is dead
	timers [numTimers]TimerID
	armed  [numTimers]bool

	// Who it is in the events.
	nonce      uint64 // this session's id: drawn at boot, and again once marked down
	registered bool   // the log holds this session's boot
	inc        uint64 // the incarnation that boot recorded
	status     uint64 // the status it reports

	// Its log: the full state at base, then every event up to confirmed,
	// with the table they build; and events stored past a gap.
	base      uint64
	table     node.CollectorTable
	confirmed uint64
	ahead     map[uint64]node.CollectorEvent

	sess session
	cu   catchup
}

// New returns a collector that will boot on Start.
func New(cfg Config, env Env) *Collector {
	return &Collector{cfg: cfg.withDefaults(), env: env}
}

// Start boots the collector: it opens its store, then reports its boot.
func (c *Collector) Start() {
	if !c.open() {
		return
	}
	c.env.Point(PointOpened)
	c.nonce = c.env.Rand()
	c.status = c.env.Rand() % 4
	c.sess = session{target: int(c.env.Rand() % uint64(c.cfg.Monitors)), huntAt: c.env.Now()}
	c.report()
	c.arm(tReport, c.cfg.ReportInterval)
}

// Deliver handles one message from a monitor. Corrupt messages are dropped.
func (c *Collector) Deliver(from int, b []byte) {
	if c.store == nil || c.err != nil {
		return
	}
	msg, err := node.DecodeMsg(b)
	if err != nil {
		c.reached(ProbeCorruptDropped)
		return
	}
	msg.From = from
	switch msg.Type {
	case node.MColAck:
		c.onAck(&msg)
	case node.MColSummary:
		c.onSummary(&msg)
	case node.MColEvents:
		c.onEvents(&msg)
	case node.MColPush:
		c.onPush(&msg)
	}
}

// Fire handles a timer.
func (c *Collector) Fire(id TimerID, tag uint64) {
	if c.store == nil || c.err != nil {
		return
	}
	kind := timerKind(tag)
	if kind >= numTimers || !c.armed[kind] || c.timers[kind] != id {
		return
	}
	c.armed[kind] = false
	switch kind {
	case tReport:
		c.tick()
	case tFetch:
		c.retry()
	}
}

// Confirmed is the last event of its log.
func (c *Collector) Confirmed() uint64 { return c.confirmed }

// Registered says whether its log holds this session's boot.
func (c *Collector) Registered() bool { return c.registered }

// Nonce is this session's id, as its boot event records it.
func (c *Collector) Nonce() uint64 { return c.nonce }

// Online says whether a monitor acks it, and which.
func (c *Collector) Online() (int, bool) { return c.sess.target, c.sess.online }

func (c *Collector) arm(kind timerKind, d int64) {
	c.disarm(kind)
	c.timers[kind] = c.env.SetTimer(d, uint64(kind))
	c.armed[kind] = true
}

func (c *Collector) disarm(kind timerKind) {
	if c.armed[kind] {
		c.env.CancelTimer(c.timers[kind])
		c.armed[kind] = false
	}
}

func (c *Collector) emit(ev Event) {
	ev.Collector = c.cfg.ID
	c.env.Emit(ev)
}

func (c *Collector) reached(p node.CodeProbe) { c.env.Reached(p) }

func (c *Collector) send(to int, msg *node.Msg) {
	msg.Seq = uint64(c.cfg.ID)
	c.env.Send(to, msg.Encode())
}

// apply writes a batch durably. A store error is fatal: after a failed
// write or fsync nothing the store says can be trusted.
func (c *Collector) apply(b *kvstore.Batch) bool {
	if err := c.store.Apply(b, true); err != nil {
		c.fail(err)
		return false
	}
	return true
}

// fail stops the collector for good; its host restarts it.
func (c *Collector) fail(err error) {
	if c.err != nil {
		return
	}
	c.err = fmt.Errorf("collector %d: store failed: %w", c.cfg.ID, err)
	c.emit(Event{Kind: EvStoreFailed, Detail: err.Error()})
	for k := range numTimers {
		c.disarm(k)
	}
	c.env.Stopped(c.err)
}
