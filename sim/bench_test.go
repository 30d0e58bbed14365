package sim

import (
	"testing"

	"github.com/monsim/monsim/netsim"
)

// rearm is a node that keeps a fixed number of timers pending: every fire
// sets one more. It does no work of its own, so the benchmark measures the
// kernel: pop, trace hash, dispatch, timer table, push.
type rearm struct {
	k *Kernel
	n int
}

func (r *rearm) Start() {
	for i := range r.n {
		r.k.SetTimer(0, int64(i+1)*Microsecond, 0)
	}
}
func (r *rearm) Deliver(int, []byte)      {}
func (r *rearm) Fire(_ TimerID, _ uint64) { r.k.SetTimer(0, Millisecond, 0) }
func (r *rearm) Stop()                    {}

// timerKernel is a kernel with one node keeping 1k timers pending, booted.
func timerKernel(tb testing.TB) *Kernel {
	k := New(Config{Endpoints: 1, MaxEvents: 1 << 62, MaxTime: 1 << 62})
	k.Attach(0, &rearm{k: k, n: 1000})
	k.Start(0, 0)
	if err := k.Run(0); err != nil {
		tb.Fatal(err)
	}
	return k
}

// messageKernel is a kernel with two nodes keeping about 1k messages in
// flight over a latency-only network, booted.
func messageKernel(tb testing.TB) *Kernel {
	k := New(Config{Endpoints: 2, MaxEvents: 1 << 62, MaxTime: 1 << 62,
		Net: netsim.LinkOptions{LatencyMin: Millisecond, LatencyMax: 2 * Millisecond}})
	for i := range 2 {
		k.Attach(i, &echo{k: k, id: i, msg: make([]byte, 128)})
		k.Start(i, 0)
	}
	if err := k.Run(0); err != nil {
		tb.Fatal(err)
	}
	return k
}

// step dispatches the next event, as Run does.
func step(k *Kernel) {
	e := k.q.pop()
	k.now = e.at
	k.events++
	k.dispatch(&e)
}

// BenchmarkKernelEvents is one dispatched timer event with 1k pending.
func BenchmarkKernelEvents(b *testing.B) {
	k := timerKernel(b)
	b.ReportAllocs()
	for b.Loop() {
		step(k)
	}
}

// BenchmarkKernelMessages is one delivered message between two nodes over a
// latency-only network, with about 1k messages in flight.
func BenchmarkKernelMessages(b *testing.B) {
	k := messageKernel(b)
	b.ReportAllocs()
	for b.Loop() {
		step(k)
	}
}

// The kernel allocates nothing per event: timers, messages (with the trace
// hashing each one) and probe points.
func TestKernelAllocatesNothingPerEvent(t *testing.T) {
	k := timerKernel(t)
	if n := testing.AllocsPerRun(2000, func() { step(k) }); n != 0 {
		t.Errorf("timer event: %v allocations", n)
	}
	k = messageKernel(t)
	if n := testing.AllocsPerRun(2000, func() { step(k) }); n != 0 {
		t.Errorf("message event: %v allocations", n)
	}
	k.Point(0, "step") // the first pass at a point counts it in
	if n := testing.AllocsPerRun(2000, func() { k.Point(0, "step") }); n != 0 {
		t.Errorf("probe point: %v allocations", n)
	}
}

// echo answers every message with one of its own.
type echo struct {
	k   *Kernel
	id  int
	msg []byte
}

func (e *echo) Start() {
	for range 500 {
		e.k.Send(e.id, 1-e.id, e.msg)
	}
}
func (e *echo) Deliver(from int, _ []byte) { e.k.Send(e.id, from, e.msg) }
func (e *echo) Fire(TimerID, uint64)       {}
func (e *echo) Stop()                      {}
