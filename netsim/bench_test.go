package netsim

import "testing"

// BenchmarkSendFaulty measures one Send on a five-node network with every
// probabilistic fault on, reusing the output slice as the kernel does.
func BenchmarkSendFaulty(b *testing.B) {
	n := newNet(5, 1, faulty)
	msg := make([]byte, 256)
	out := make([]Delivery, 0, 2)
	var now int64
	i := 0
	for b.Loop() {
		now += 1000
		out, _ = n.Send(now, i%5, (i+1)%5, msg, out[:0])
		i++
	}
}

// BenchmarkSendPerfect is the floor: zero options, so only the fixed draws.
func BenchmarkSendPerfect(b *testing.B) {
	n := newNet(5, 1, LinkOptions{})
	msg := make([]byte, 256)
	out := make([]Delivery, 0, 2)
	i := 0
	for b.Loop() {
		out, _ = n.Send(0, i%5, (i+1)%5, msg, out[:0])
		i++
	}
}
