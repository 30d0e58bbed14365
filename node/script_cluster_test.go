package node

import (
	"fmt"
	"slices"
	"strings"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
)

// scriptCluster is a few monitors over a hand-stepped world: one manual
// clock, an explicit message queue and a faultfs disk each. Nothing moves
// unless a command moves it.
type scriptCluster struct {
	cfg       Config // the template; Rank and Mkfs are set per boot
	nodes     []*scriptNode
	now, seq  int64
	timers    []scriptTimer
	queue     []scriptMsg
	outbox    []scriptMsg // the running handler's sends
	traps     []trap
	side      []int          // a message between nodes on different sides is dropped when sent
	sides     int            // the last side handed out
	held      []msgFilter    // messages that stabilize and run leave queued
	nextReq   map[int]uint64 // the last request id per client
	writes    int            // keys written by the write command
	lastReply ClientOp       // the last reply any client got
	commits   []scriptCommit

	show map[string]bool // the command's show= filter; nil shows all but probe points
	out  strings.Builder
}

type scriptNode struct {
	fs        *faultfs.FS
	rand      *rng.Stream
	m         *Monitor    // nil while down
	booted    bool        // only the first boot may create the store (mkfs)
	stopped   bool        // m stopped on a store error
	cancelled scriptTimer // the last timer m cancelled, for refire
	points    map[string]int
}

// scriptCommit is one EvCommit, for the ledger.
type scriptCommit struct {
	v    uint64
	rank int
	hash uint64
}

func newScriptCluster(cfg Config, seed uint64) *scriptCluster {
	c := &scriptCluster{cfg: cfg, side: make([]int, cfg.Monitors)}
	for r := range cfg.Monitors {
		c.nodes = append(c.nodes, &scriptNode{
			fs:     faultfs.New(faultfs.Options{Rand: rng.New(seed, fmt.Sprintf("disk-%d", r))}),
			rand:   rng.New(seed, fmt.Sprintf("mon-%d", r)),
			points: map[string]int{},
		})
	}
	return c
}

// log prints a line of the given kind (an event, a message type, "deliver",
// "timer" or "timer:<name>", or "point") if the command's show= filter lets
// it through.
func (c *scriptCluster) log(kind, format string, a ...any) {
	k, _, _ := strings.Cut(kind, ":")
	if c.show == nil && (kind == "point" || kind == "reached") || c.show != nil && !c.show[kind] && !c.show[k] {
		return
	}
	c.printf(format, a...)
}

func (c *scriptCluster) printf(format string, a ...any) {
	fmt.Fprintf(&c.out, format, a...)
	c.out.WriteByte('\n')
}

// flush returns and forgets what the last command printed. Runs of the
// same line (resends, their acks) are printed once, with their count.
func (c *scriptCluster) flush() string {
	s := c.out.String()
	c.out.Reset()
	if s == "" {
		return "ok\n"
	}
	var b strings.Builder
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && lines[j] == lines[i] {
			j++
		}
		b.WriteString(lines[i])
		if j-i > 1 {
			fmt.Fprintf(&b, " (x%d)", j-i)
		}
		b.WriteByte('\n')
		i = j
	}
	return b.String()
}

func (c *scriptCluster) up(rank int) bool { return c.nodes[rank].m != nil }

func (c *scriptCluster) boot(rank int) {
	n := c.nodes[rank]
	if n.m != nil && !n.stopped {
		c.printf("n%d is already up", rank)
		return
	}
	if n.m != nil {
		c.crash(rank) // a stopped monitor's process exits before the restart
	}
	cfg := c.cfg
	cfg.Rank, cfg.Mkfs = rank, !n.booted
	n.booted = true
	n.m = New(cfg, &scriptEnv{c: c, rank: rank})
	c.printf("n%d boot", rank)
	c.call(rank, (*Monitor).Start)
}

// crash stops node rank's process: its timers die, its disk keeps
// everything (the page cache survives).
func (c *scriptCluster) crash(rank int) {
	c.nodes[rank].fs.Crash()
	c.down(rank)
}

func (c *scriptCluster) powerLoss(rank int, mode faultfs.PowerMode) {
	c.nodes[rank].fs.PowerLoss(mode)
	c.down(rank)
}

func (c *scriptCluster) down(rank int) {
	c.nodes[rank].m, c.nodes[rank].stopped = nil, false
	c.dropTimers(rank)
}

// enqueue puts a handler's message on the wire: a client's reply arrives
// at once (and is only printed); a monitor's waits in the queue.
func (c *scriptCluster) enqueue(msg scriptMsg) {
	switch {
	case msg.to >= clientBase:
		c.log(msg.kind(), "  %s", msg.String())
		if d, err := DecodeMsg(msg.b); err == nil {
			c.lastReply = d.Op
		}
	case c.cut(msg.from, msg.to):
		c.log(msg.kind(), "  %s (dropped: partitioned)", msg.String())
	default:
		c.log(msg.kind(), "  %s", msg.String())
		c.queue = append(c.queue, msg)
	}
}

// cut says whether a partition separates two monitors.
func (c *scriptCluster) cut(a, b int) bool { return c.side[a] != c.side[b] }

// deliver hands one message to its receiver, if that one is up.
func (c *scriptCluster) deliver(msg scriptMsg) {
	if !c.up(msg.to) {
		c.log("deliver", "%s (lost: n%d is down)", msg.String(), msg.to)
		return
	}
	c.log("deliver", "%s", msg.String())
	c.call(msg.to, func(m *Monitor) { m.Deliver(msg.from, msg.b) })
}

// fire runs the earliest timer due by until, moving the clock to it.
func (c *scriptCluster) fire(until int64) bool {
	i := c.nextTimer(until)
	if i < 0 {
		return false
	}
	t := c.timers[i]
	c.timers = slices.Delete(c.timers, i, i+1)
	c.now = max(c.now, t.at)
	c.log("timer:"+strings.Fields(timerName(t.tag))[0], "n%d timer %s at %s", t.rank, timerName(t.tag), fmtTime(c.now))
	c.call(t.rank, func(m *Monitor) { m.Fire(t.id, t.tag) })
	return true
}

var timerNames = [...]string{tProbe: "probe", tElection: "election", tBootWait: "boot-wait",
	tPaxos: "paxos", tLeaseRenew: "lease-renew", tLeaseExpire: "lease-expire",
	tSync: "sync", tPropose: "propose", tActivate: "activate", tResend: "resend", tProvider: "provider", tLeaseResend: "lease-resend",
	tCollectors: "collectors"}

func timerName(tag uint64) string {
	k := timerKind(tag & 0xff)
	if k == tProvider {
		return "provider cookie=" + fmtCookie(tag>>8)
	}
	if k < numTimers {
		return timerNames[k]
	}
	return fmt.Sprintf("timer-%d", k)
}

// stabilize delivers messages, oldest first, and fires timers already due,
// until neither is left.
func (c *scriptCluster) stabilize(limit int) error {
	for range limit {
		if i := c.nextMsg(); i >= 0 {
			msg := c.queue[i]
			c.queue = slices.Delete(c.queue, i, i+1)
			c.deliver(msg)
			continue
		}
		if !c.fire(c.now) {
			return nil
		}
	}
	return fmt.Errorf("not stable after %d steps", limit)
}

// nextMsg is the oldest queued message no hold applies to, or -1.
func (c *scriptCluster) nextMsg() int {
	for i := range c.queue {
		if !slices.ContainsFunc(c.held, func(f msgFilter) bool { return f.match(&c.queue[i]) }) {
			return i
		}
	}
	return -1
}

// tick advances the clock by d, firing every timer due on the way in
// order; messages stay queued.
func (c *scriptCluster) tick(d int64) {
	until := c.now + d
	for c.fire(until) {
	}
	c.now = until
}

// run advances the clock by d as a network without latency would: every
// message is delivered before the next timer fires.
func (c *scriptCluster) run(d int64, limit int) error {
	until := c.now + d
	for {
		if err := c.stabilize(limit); err != nil {
			return err
		}
		if !c.fire(until) {
			break
		}
	}
	c.now = until
	return nil
}

func (c *scriptCluster) emitted(ev *Event) {
	if ev.Kind == EvCommit {
		c.commits = append(c.commits, scriptCommit{v: ev.Version, rank: ev.Rank, hash: ev.Hash})
	}
}
