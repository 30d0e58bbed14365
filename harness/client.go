package harness

import (
	"strconv"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// ClientOptions shape the workload. Durations are simulated ns.
type ClientOptions struct {
	Keys     int   // key space size: k0, k1, ...
	ThinkMin int64 // pause between one op's end and the next op
	ThinkMax int64
	Timeout  int64 // per attempt
	// GiveUpAfter abandons an op this long after its call: a write's outcome
	// is then unknown. Ops called in the heal phase are never abandoned.
	GiveUpAfter int64
	StopAt      int64 // issue no new ops after this time
	MaxOps      int   // issue at most this many ops; 0: no limit
	// HealAt is when the heal phase starts: ops issued after it must
	// complete for the run to be live.
	HealAt int64
	// PrefixDeletes turns some deletes into deletes of a prefix: k and one
	// digit, so k1 removes k1 and k10..k19 of a key space that has them.
	PrefixDeletes bool
}

// client is one endpoint that issues config-key operations one at a time,
// retrying on timeouts and redirections with the same request id, and
// records a porcupine history in simulated time.
type client struct {
	k        *sim.Kernel
	id       int
	monitors int
	opts     ClientOptions
	rand     *rng.Stream
	obs      *observer

	reqID   uint64
	keys    []string // key names, made once each
	cur     *inflight
	target  int
	history []checker.KVOp
}

type inflight struct {
	op    node.ClientOp
	rec   checker.KVOp
	sent  bool // the timer pending is a reply timeout, not a backoff
	timer sim.TimerID
}

const (
	tagClientNext  = 1
	tagClientRetry = 2
)

func (c *client) Start() {
	c.target = c.rand.Intn(c.monitors)
	c.k.SetTimer(c.id, c.rand.Range(c.opts.ThinkMin, c.opts.ThinkMax), tagClientNext)
}

func (c *client) Stop() {}

func (c *client) Fire(id sim.TimerID, tag uint64) {
	switch tag {
	case tagClientNext:
		c.issue()
	case tagClientRetry:
		if c.cur != nil && c.cur.timer == id {
			if c.cur.sent {
				// No answer in time: that monitor may be down or cut off.
				c.target = (c.target + 1 + c.rand.Intn(c.monitors-1)) % c.monitors
			}
			c.attempt()
		}
	}
}

func (c *client) issue() {
	now := c.k.Now()
	if now >= c.opts.StopAt || (c.opts.MaxOps > 0 && int(c.reqID) >= c.opts.MaxOps) {
		return
	}
	c.reqID++
	key := c.key(c.rand.Intn(c.opts.Keys))
	op := node.ClientOp{Client: uint64(c.id), ReqID: c.reqID, Key: key, Leader: -1}
	rec := checker.KVOp{Client: c.id, Key: key, Call: now}
	switch x := c.rand.Intn(100); {
	case x < 45:
		op.Kind = node.OpGet
	case x < 75:
		op.Kind = node.OpPut
		op.Value = c.value()
	case x < 92:
		op.Kind = node.OpCas
		op.Expect = []byte(c.guess())
		op.Value = c.value()
	default:
		op.Kind = node.OpDelete
		if c.opts.PrefixDeletes && c.rand.Chance(0.4) {
			op.Kind = node.OpDeletePrefix
			op.Key = c.key(c.rand.Intn(min(c.opts.Keys, 10))) // k1 takes k1 and k10..k19
		}
	}
	rec.Kind, rec.Key, rec.Value, rec.Expect = op.Kind, op.Key, string(op.Value), string(op.Expect)
	c.cur = &inflight{op: op, rec: rec}
	c.attempt()
}

// key is the name of key i: k0, k1, ...
func (c *client) key(i int) string {
	if c.keys == nil {
		c.keys = make([]string, c.opts.Keys)
	}
	if c.keys[i] == "" {
		c.keys[i] = "k" + strconv.Itoa(i)
	}
	return c.keys[i]
}

// value is what a put or cas of the current request writes: c<client>-<request>,
// unique in the run.
func (c *client) value() []byte {
	b := strconv.AppendInt([]byte{'c'}, int64(c.id), 10)
	return strconv.AppendUint(append(b, '-'), c.reqID, 10)
}

// guess picks a cas expectation: a value this client last saw or wrote, so
// some cas ops succeed.
func (c *client) guess() string {
	for i := len(c.history) - 1; i >= 0 && i >= len(c.history)-5; i-- {
		h := &c.history[i]
		if h.Kind == node.OpGet && h.Found {
			return h.Out
		}
		if h.Kind == node.OpPut {
			return h.Value
		}
	}
	return "none"
}

func (c *client) attempt() {
	f := c.cur
	if now := c.k.Now(); f.rec.Call < c.opts.HealAt && now-f.rec.Call > c.opts.GiveUpAfter {
		c.abandon()
		return
	}
	f.sent = true
	c.k.Send(c.id, c.target, (&node.Msg{Type: node.MClientRequest, From: c.id, Op: f.op}).Encode())
	f.timer = c.k.SetTimer(c.id, c.opts.Timeout, tagClientRetry)
}

func (c *client) Deliver(from int, b []byte) {
	msg, err := node.DecodeMsg(b)
	if err != nil || msg.Type != node.MClientReply || c.cur == nil || msg.Op.ReqID != c.cur.op.ReqID {
		return
	}
	f := c.cur
	c.k.CancelTimer(c.id, f.timer)
	if msg.Op.Status == node.StatusRetry {
		c.target = msg.Op.Leader
		if c.target < 0 || c.target >= c.monitors || c.target == from {
			c.target = c.rand.Intn(c.monitors)
		}
		f.sent = false
		f.timer = c.k.SetTimer(c.id, c.rand.Range(20*sim.Millisecond, 60*sim.Millisecond), tagClientRetry)
		return
	}
	f.rec.Return = c.k.Now()
	f.rec.Status, f.rec.Found, f.rec.Out = msg.Op.Status, msg.Op.Found, string(msg.Op.Value)
	c.history = append(c.history, f.rec)
	if f.op.Kind.IsWrite() && msg.Op.Status == node.StatusOK {
		c.obs.ackedWrite(c.id, f.op.ReqID, msg.Op.Version)
	}
	c.finish()
}

// abandon gives up on the current op: a write's outcome becomes unknown, a
// read is dropped (it had no effect).
func (c *client) abandon() {
	f := c.cur
	if f.op.Kind.IsWrite() {
		f.rec.Unknown = true
		f.rec.Return = -1
		c.history = append(c.history, f.rec)
	}
	c.cur = nil
	c.target = c.rand.Intn(c.monitors)
	c.k.SetTimer(c.id, c.rand.Range(c.opts.ThinkMin, c.opts.ThinkMax), tagClientNext)
}

func (c *client) finish() {
	c.cur = nil
	c.k.SetTimer(c.id, c.rand.Range(c.opts.ThinkMin, c.opts.ThinkMax), tagClientNext)
}

// unfinished counts ops that should have completed but did not: the one
// still in flight at the end, if any.
func (c *client) unfinished() int {
	if c.cur != nil {
		return 1
	}
	return 0
}

// finalHistory is the history to check: in-flight writes count as unknown.
func (c *client) finalHistory() []checker.KVOp {
	h := c.history
	if c.cur != nil && c.cur.op.Kind.IsWrite() {
		rec := c.cur.rec
		rec.Unknown = true
		h = append(h, rec)
	}
	return h
}
