package node

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/monsim/monsim/faultfs"
)

// scriptEnv is one incarnation's Env over the script cluster: the shared
// manual clock, the cluster's timer list and message queue, and the node's
// own disk. Each method is one line, so that a change of the Env interface
// is a one-line change here.
type scriptEnv struct {
	c    *scriptCluster
	rank int
}

var _ Env = (*scriptEnv)(nil)

func (e *scriptEnv) Now() int64                           { return e.c.now }
func (e *scriptEnv) SetTimer(d int64, tag uint64) TimerID { return e.c.setTimer(e.rank, d, tag) }
func (e *scriptEnv) CancelTimer(id TimerID)               { e.c.cancelTimer(e.rank, id) }
func (e *scriptEnv) Rand() uint64                         { return e.c.nodes[e.rank].rand.Uint64() }
func (e *scriptEnv) Send(to int, msg []byte)              { e.c.send(e.rank, to, msg) }
func (e *scriptEnv) FS() vfs.FS                           { return e.c.nodes[e.rank].fs }
func (e *scriptEnv) Point(p Point)                        { e.c.point(e.rank, string(p)) }
func (e *scriptEnv) Emit(ev Event)                        { e.c.emit(ev) }
func (e *scriptEnv) Reached(p CodeProbe)                  { e.c.log("reached", "  n%d reached %s", e.rank, p) }
func (e *scriptEnv) Stopped(err error)                    { e.c.stopped(e.rank, err) }

// scriptTimer is one armed timer. A crash drops a node's timers.
type scriptTimer struct {
	at, seq int64
	rank    int
	id      TimerID
	tag     uint64
}

func (c *scriptCluster) setTimer(rank int, d int64, tag uint64) TimerID {
	c.seq++
	id := TimerID(c.seq)
	c.timers = append(c.timers, scriptTimer{at: c.now + max(d, 0), seq: c.seq, rank: rank, id: id, tag: tag})
	return id
}

func (c *scriptCluster) cancelTimer(rank int, id TimerID) {
	for i, t := range c.timers {
		if t.rank == rank && t.id == id {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			c.nodes[rank].cancelled = t
			return
		}
	}
}

// nextTimer returns the index of the earliest timer due at or before until,
// by (time, arming order), or -1.
func (c *scriptCluster) nextTimer(until int64) int {
	best := -1
	for i, t := range c.timers {
		if t.at > until {
			continue
		}
		if best < 0 || t.at < c.timers[best].at || (t.at == c.timers[best].at && t.seq < c.timers[best].seq) {
			best = i
		}
	}
	return best
}

func (c *scriptCluster) dropTimers(rank int) {
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.rank != rank {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

// send holds a handler's messages until it returns, as a host sends only
// after the handler's disk work: a handler cut by a power loss sends
// nothing.
func (c *scriptCluster) send(from, to int, msg []byte) {
	c.outbox = append(c.outbox, scriptMsg{from: from, to: to, b: msg})
}

func (c *scriptCluster) emit(ev Event) {
	c.emitted(&ev)
	kind := ev.Kind.String()
	if ev.Kind == EvBootstrap || ev.Kind == EvCorruptMsg {
		kind = "state:" + kind // shown with the phase changes they explain
	}
	c.log(kind, "  n%d %s", ev.Rank, fmtEvent(&ev))
}

// trap is a fault armed at a probe point: when node rank's count of point
// reaches nth, the fault strikes. A power loss or crash unwinds the
// handler; an I/O error is only armed, for the disk's next operations.
type trap struct {
	rank  int
	point string
	nth   int
	power bool // power loss (else a process crash)
	mode  faultfs.PowerMode
	eio   *oneShotEIO // if set, arm this instead
}

// scriptHalt unwinds a handler whose node just lost power or crashed.
type scriptHalt struct{}

func (c *scriptCluster) point(rank int, name string) {
	n := c.nodes[rank]
	n.points[name]++
	c.log("point", "  n%d point %s", rank, name)
	for i, t := range c.traps {
		if t.rank != rank || t.point != name || t.nth != n.points[name] {
			continue
		}
		c.traps = append(c.traps[:i], c.traps[i+1:]...)
		if t.eio != nil {
			c.printf("  n%d disk errors armed at %s", rank, name)
			n.fs.SetInjector(t.eio)
			return
		}
		if t.power {
			c.printf("  n%d power cut (%s) at %s", rank, t.mode, name)
			c.powerLoss(rank, t.mode)
		} else {
			c.printf("  n%d crashed at %s", rank, name)
			c.crash(rank)
		}
		panic(scriptHalt{})
	}
}

// call runs one handler of node rank, then sends what it queued, unless a
// trap cut it short. A monitor that stopped on a store error stays in
// place, deaf, until the script boots it again, as a host that has not
// restarted it yet.
func (c *scriptCluster) call(rank int, f func(m *Monitor)) {
	n := c.nodes[rank]
	m := n.m
	c.outbox = c.outbox[:0]
	if halted := c.invoke(m, f); halted {
		if len(c.outbox) > 0 {
			c.printf("  n%d: %d unsent message(s) lost", rank, len(c.outbox))
		}
		c.outbox = c.outbox[:0]
		return
	}
	out := c.outbox
	c.outbox = nil
	for _, msg := range out {
		c.enqueue(msg)
	}
}

func (c *scriptCluster) invoke(m *Monitor, f func(m *Monitor)) (halted bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(scriptHalt); !ok {
				panic(r)
			}
			halted = true
		}
	}()
	f(m)
	return false
}

// stopped reports a monitor that stopped on a store error.
func (c *scriptCluster) stopped(rank int, err error) {
	c.nodes[rank].stopped = true
	c.printf("  n%d stopped: %s", rank, errClass(err.Error()))
}

// scriptMsg is a message in flight.
type scriptMsg struct {
	from, to int
	b        []byte
}

// kind is the message type's name, for show= filters.
func (m *scriptMsg) kind() string {
	if d, err := DecodeMsg(m.b); err == nil {
		return d.Type.String()
	}
	return "corrupt"
}

func (m *scriptMsg) String() string {
	d, err := DecodeMsg(m.b)
	if err != nil {
		return fmt.Sprintf("%s->%s corrupt", endpoint(m.from), endpoint(m.to))
	}
	d.From = m.from
	return fmt.Sprintf("%s->%s %s", endpoint(m.from), endpoint(m.to), fmtMsg(&d))
}
