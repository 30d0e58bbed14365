package kvstore

// CodeProbe names a rare condition in the store that a campaign should
// prove it reaches (see node.CodeProbe). Options.Reached is called with it.
type CodeProbe string

// CodeProbeInfo describes one code probe: its name, what reaching it
// means, and where it lives (file and function, checked by a test).
type CodeProbeInfo struct {
	Probe CodeProbe
	Means string
	Where string
}

// The store's code probes.
const (
	ProbeTornTail CodeProbe = "kvstore/torn-tail-discarded"
)

var codeProbes = []CodeProbeInfo{
	{ProbeTornTail, "recovery discarded a torn tail of the log", "recover.go recover"},
}

// CodeProbes lists every code probe of the store.
func CodeProbes() []CodeProbeInfo { return append([]CodeProbeInfo(nil), codeProbes...) }

func (s *Store) reached(p CodeProbe) {
	if s.opts.Reached != nil {
		s.opts.Reached(p)
	}
}
