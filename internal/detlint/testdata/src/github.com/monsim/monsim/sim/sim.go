// Package sim plants the goroutine and channel cases.
package sim

type kernel struct{ pending []func() }

// Go is a method that happens to be called Go: not a go statement.
func (k *kernel) Go(f func()) { k.pending = append(k.pending, f) }

func work() {}

func goroutines(k *kernel) {
	go work()         // want `goroutine: go statement: the simulation is single-threaded`
	go func() {}()    // want `goroutine: go statement`
	k.Go(work)        // near miss: a method named Go
	defer func() {}() // near miss: defer is not a goroutine
}

var ready chan int // want `channel: channel type: .*kernel events`

func channels(in <-chan int, out chan<- chan int) { // want `channel: channel type` `channel: channel type`
	ch := make(chan int, 1) // want `channel: channel type`
	ch <- 1                 // want `channel: channel send`
	v := <-in               // want `channel: channel receive`
	for x := range in {     // want `channel: range over a channel`
		v += x
	}
	select { // want `channel: select statement`
	case ch <- v:
	case w, ok := <-in:
		_, _ = w, ok
	case <-ch:
	default:
	}
	_ = v
}

func nearMissChannels(a, b int, chans []int) bool {
	// Less-than-minus is not a receive, and a name is not a channel.
	return a < -b && len(chans) > 0
}
