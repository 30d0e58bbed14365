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

// BenchmarkKernelEvents is one dispatched timer event with 1k pending.
func BenchmarkKernelEvents(b *testing.B) {
	k := New(Config{Endpoints: 1, MaxEvents: 1 << 62, MaxTime: 1 << 62})
	k.Attach(0, &rearm{k: k, n: 1000})
	k.Start(0, 0)
	if err := k.Run(0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		e := k.q.pop()
		k.now = e.at
		k.events++
		k.dispatch(&e)
	}
}

// BenchmarkKernelMessages is one delivered message between two nodes over a
// latency-only network, with about 1k messages in flight.
func BenchmarkKernelMessages(b *testing.B) {
	k := New(Config{Endpoints: 2, MaxEvents: 1 << 62, MaxTime: 1 << 62,
		Net: netsim.LinkOptions{LatencyMin: Millisecond, LatencyMax: 2 * Millisecond}})
	for i := range 2 {
		k.Attach(i, &echo{k: k, id: i, msg: make([]byte, 128)})
		k.Start(i, 0)
	}
	if err := k.Run(0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		e := k.q.pop()
		k.now = e.at
		k.events++
		k.dispatch(&e)
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
