package node

// Plants the unwind rule: the monitor may neither defer nor recover.

type file struct{}

func (file) Close() error { return nil }

func deferred(f file) {
	defer f.Close() // want `unwind: defer: a power cut unwinds the monitor's handler`
}

func recovered() {
	defer func() { // want `unwind: defer`
		_ = recover() // want `unwind: recover`
	}()
}

// A method or variable named recover is not the builtin.
type mender struct{}

func (mender) recover() {}

func nearMiss(m mender) {
	m.recover()
	recover := func() {}
	recover()
}
