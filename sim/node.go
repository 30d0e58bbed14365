package sim

import (
	"hash/crc32"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
)

// Host is how the kernel drives one simulated process on a simulated
// machine: the state machine under test wrapped by whatever binds it to the
// kernel. The kernel knows nothing else about it, so sim/ can drive any Go
// state machine. All four calls run inside the kernel's event loop; a Host
// must not keep running after Stop.
type Host interface {
	// Start boots the process: first start or restart after a crash.
	Start()
	// Deliver hands over one message from another endpoint.
	Deliver(from int, msg []byte)
	// Fire runs a timer set through the kernel, with the tag it was set with.
	Fire(id TimerID, tag uint64)
	// Stop tells the node its process is gone (crash or power loss): it must
	// drop all in-memory state. It must not touch the disk.
	Stop()
}

type slot struct {
	host        Host
	disk        *faultfs.FS
	rand        *rng.Stream
	up          bool
	incarnation uint32
	busyUntil   int64
	driftPPM    int64
	timers      timerTable
	pointCounts map[Point]*int // a pointer: one map lookup per point passed
	armedOps    int            // > 0: power loss after this many more mutating disk ops
	armedFault  int            // plan index of the armed fault
	powerLosses int
}

// halt unwinds a node's handler when its own process dies mid-handler (a
// power cut at a probe point or after a disk operation). The kernel recovers
// it at the handler boundary; nothing after the cut runs.
type halt struct{}

// Attach binds node i. It does not start it: see Start.
func (k *Kernel) Attach(i int, h Host) { k.nodes[i].host = h }

// Start boots node i at time t.
func (k *Kernel) Start(i int, t int64) {
	k.schedule(event{at: t, kind: evStart, node: int32(i), inc: k.nodes[i].incarnation})
}

// Up reports whether node i's process is running.
func (k *Kernel) Up(i int) bool { return k.nodes[i].up }

// PowerLosses counts node i's power losses so far (counted before its
// Stop runs, so Stop can tell a power loss from a crash).
func (k *Kernel) PowerLosses(i int) int { return k.nodes[i].powerLosses }

// Disk returns node i's disk, or nil for a diskless endpoint.
func (k *Kernel) Disk(i int) *faultfs.FS { return k.nodes[i].disk }

// SetDrift sets node i's clock drift in parts per million: its local clock
// runs (1e6+ppm)/1e6 as fast as simulated time.
func (k *Kernel) SetDrift(i int, ppm int64) { k.nodes[i].driftPPM = ppm }

func (k *Kernel) dispatchNode(e *event) {
	s := &k.nodes[e.node]
	i := int(e.node)
	switch e.kind {
	case evStart:
		if s.up || e.inc != s.incarnation {
			return
		}
	case evTimer:
		if !s.up || e.inc != s.incarnation {
			return
		}
	case evDeliver:
		if !s.up {
			k.Trace.Record(k.now, i, KindDrop, Int("from", int64(e.arg)), Str("why", "down"))
			return
		}
		if !k.Net.Deliverable(k.now, int(e.arg), i) {
			k.Trace.Record(k.now, i, KindDrop, Int("from", int64(e.arg)), Str("why", "partitioned"))
			return
		}
	}
	// A node busy with an earlier handler's disk work sees the event later.
	if k.now < s.busyUntil {
		e.at = s.busyUntil
		k.schedule(*e)
		return
	}
	var tag uint64
	switch e.kind {
	case evStart:
		s.up = true
		k.Trace.Record(k.now, i, KindStart, Int("incarnation", int64(s.incarnation)))
	case evTimer:
		var ok bool
		if tag, ok = s.timers.take(TimerID(e.arg)); !ok {
			return
		}
		k.Trace.Record(k.now, i, KindTimer, Uint("tag", tag))
	case evDeliver:
		k.Trace.Record(k.now, i, KindDeliver, Int("from", int64(e.arg)), Int("len", int64(len(e.msg))),
			Uint("crc", uint64(crc32.Checksum(e.msg, castagnoli))))
	}
	k.invoke(i, e, tag)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// invoke runs one handler of node i, charging its disk costs and holding its
// sends until the handler's simulated work is done.
func (k *Kernel) invoke(i int, e *event, tag uint64) {
	k.running, k.cost, k.outbox = i, 0, k.outbox[:0]
	if k.call(i, e, tag) {
		k.running = -1
		return
	}
	k.running = -1
	s := &k.nodes[i]
	s.busyUntil = k.now + k.cost
	for _, m := range k.outbox {
		k.transmit(s.busyUntil, i, m.to, m.msg)
	}
}

func (k *Kernel) call(i int, e *event, tag uint64) (halted bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(halt); !ok {
				panic(r)
			}
			halted = true
		}
	}()
	n := k.nodes[i].host
	switch e.kind {
	case evStart:
		n.Start()
	case evTimer:
		n.Fire(TimerID(e.arg), tag)
	case evDeliver:
		n.Deliver(int(e.arg), e.msg)
	}
	return false
}

func (k *Kernel) transmit(at int64, from, to int, msg []byte) {
	out, why := k.Net.Send(at, from, to, msg, k.delivs[:0])
	k.delivs = out[:0]
	if len(out) == 0 {
		k.Trace.Record(at, from, KindNetDrop, Int("to", int64(to)), Str("why", why.String()))
	}
	for j := range out {
		d := &out[j]
		if d.Dup {
			k.Trace.Record(at, from, KindNetDup, Int("to", int64(to)))
		}
		if d.Corrupted {
			k.Trace.Record(at, from, KindNetCorrupt, Int("to", int64(to)))
		}
		k.schedule(event{at: d.At, kind: evDeliver, node: int32(to), arg: uint64(from), msg: d.Msg})
	}
}

// localTime converts simulated time to node i's drifting local clock.
func (k *Kernel) localTime(i int, t int64) int64 {
	return t + t*k.nodes[i].driftPPM/1_000_000
}

// realTime is the earliest simulated instant at which node i's local clock
// reads at least local, so a timer never fires early by its own clock.
func (k *Kernel) realTime(i int, local int64) int64 {
	ppm := k.nodes[i].driftPPM
	t := local * 1_000_000 / (1_000_000 + ppm)
	for k.localTime(i, t) < local {
		t++
	}
	return t
}

// handlerTime is simulated time as node i sees it: now, plus the disk time
// its running handler has spent so far.
func (k *Kernel) handlerTime(i int) int64 {
	if k.running == i {
		return k.now + k.cost
	}
	return k.now
}

// NodeNow is node i's local (drifting) clock.
func (k *Kernel) NodeNow(i int) int64 { return k.localTime(i, k.handlerTime(i)) }

// SetTimer arms a timer for node i that fires after d of its local time.
func (k *Kernel) SetTimer(i int, d int64, tag uint64) TimerID {
	s := &k.nodes[i]
	id := s.timers.add(tag)
	now := k.handlerTime(i)
	at := max(now, k.realTime(i, k.localTime(i, now)+d))
	k.schedule(event{at: at, kind: evTimer, node: int32(i), arg: uint64(id), inc: s.incarnation})
	return id
}

// CancelTimer disarms a pending timer; stale IDs are ignored.
func (k *Kernel) CancelTimer(i int, id TimerID) { k.nodes[i].timers.take(id) }

// Send queues msg from node i to node to. While i's handler runs, the send
// waits until the handler's disk work is done; the kernel never keeps msg
// beyond delivery, and the receiver must not modify it.
func (k *Kernel) Send(i, to int, msg []byte) {
	if k.running == i {
		k.outbox = append(k.outbox, outMsg{to: to, msg: msg})
		return
	}
	k.transmit(k.now, i, to, msg)
}

// Rand is node i's own PRNG stream. It persists across restarts.
func (k *Kernel) Rand(i int) *rng.Stream { return k.nodes[i].rand }

// Record adds a node's own event to the trace.
func (k *Kernel) Record(i int, kind Kind, attrs ...Attr) {
	k.Trace.Record(k.handlerTime(i), i, kind, attrs...)
}

// Point records that node i reached a named probe point, and fires any
// planned fault waiting for it. If that fault kills node i itself, Point
// does not return: the handler unwinds as a real power cut would stop it.
func (k *Kernel) Point(i int, name Point) {
	s := &k.nodes[i]
	count := s.pointCounts[name]
	if count == nil {
		count = new(int)
		s.pointCounts[name] = count
	}
	*count++
	nth := *count
	k.Trace.Record(k.handlerTime(i), i, KindPoint, Str("name", string(name)), Int("nth", int64(nth)))
	for _, fi := range k.triggers {
		f := &k.plan.Faults[fi]
		if f.On.Node != i || f.On.Point != name || f.On.Nth != nth {
			continue
		}
		if f.On.AfterOps > 0 {
			s.armedOps, s.armedFault = f.On.AfterOps, fi
			k.Trace.Record(k.handlerTime(i), i, KindFaultArmed, Int("fault", int64(fi)), Int("after_ops", int64(f.On.AfterOps)))
			continue
		}
		if f.On.Delay > 0 {
			k.schedule(event{at: k.handlerTime(i) + f.On.Delay, kind: evFault, node: -1, arg: uint64(fi)})
			k.Trace.Record(k.handlerTime(i), i, KindFaultArmed, Int("fault", int64(fi)), Int("delay", f.On.Delay))
			continue
		}
		k.fireFault(fi)
	}
	k.haltIfDead(i)
}

func (k *Kernel) afterDiskOp(i int) {
	s := &k.nodes[i]
	if s.armedOps == 0 || k.running != i {
		return
	}
	s.armedOps--
	if s.armedOps == 0 {
		k.fireFault(s.armedFault)
		k.haltIfDead(i)
	}
}

// haltIfDead unwinds the running handler if its node just died.
func (k *Kernel) haltIfDead(i int) {
	if k.running == i && !k.nodes[i].up {
		panic(halt{})
	}
}

// kill stops node i's process: its handler (if running) will unwind, its
// timers die, and messages to it are dropped until it restarts.
func (k *Kernel) kill(i int) bool {
	s := &k.nodes[i]
	if !s.up {
		return false
	}
	s.up = false
	s.incarnation++
	s.busyUntil = 0
	s.armedOps = 0
	s.timers.clear()
	s.host.Stop()
	return true
}

// Crash kills node i's process; its disk keeps everything written (the
// page cache survives).
func (k *Kernel) Crash(i int) {
	if k.kill(i) && k.nodes[i].disk != nil {
		k.nodes[i].disk.Crash()
	}
}

// PowerLoss kills node i and cuts its host's power: its disk keeps what the
// mode allows.
func (k *Kernel) PowerLoss(i int, mode faultfs.PowerMode) {
	k.nodes[i].powerLosses++
	k.kill(i)
	if d := k.nodes[i].disk; d != nil {
		d.PowerLoss(mode)
	}
}
