package node

import "github.com/monsim/monsim/node/kvstore"

// CodeProbe names a rare condition in the monitor or its store that a
// campaign should prove it reaches, as FoundationDB's CODE_PROBE does: a
// full sync abandoned midway, a provider refusing, an uncommitted value
// recovered by a collect. The monitor reports each through Env.Reached as
// it happens. Probes change nothing and inject nothing (those are probe
// points, Point); a host that does not count them ignores the call. A probe
// no campaign ever reaches marks a path no scenario drives.
type CodeProbe string

// CodeProbeInfo describes one code probe: its name, what reaching it
// means, and where it lives (file and function, checked by a test).
type CodeProbeInfo struct {
	Probe CodeProbe
	Means string
	Where string
}

// CodeProbes lists every code probe of the monitor and its store.
func CodeProbes() []CodeProbeInfo {
	out := append([]CodeProbeInfo(nil), codeProbes...)
	for _, p := range kvstore.CodeProbes() {
		out = append(out, CodeProbeInfo{Probe: CodeProbe(p.Probe), Means: p.Means, Where: "node/kvstore/" + p.Where})
	}
	return out
}

// reached reports a code probe.
func (m *Monitor) reached(p CodeProbe) { m.env.Reached(p) }

// The monitor's code probes, by protocol.
const (
	ProbeCorruptMessage CodeProbe = "msg/corrupt-dropped"
)

var codeProbes = []CodeProbeInfo{
	{ProbeCorruptMessage, "a message failed its checksum and was dropped", "node/monitor.go Deliver"},
}
