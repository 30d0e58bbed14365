package collector

import "github.com/monsim/monsim/node"

// The collector's code probes: rare conditions a campaign should prove it
// reaches, reported through Env.Reached and counted with the monitor's
// (node.CodeProbe). Its store's probes are the monitor's store's.
const (
	ProbeStoredAhead     node.CodeProbe = "collector/stored-past-a-gap"
	ProbeResumedAhead    node.CodeProbe = "collector/resumed-with-events-past-a-gap"
	ProbeFullStateTaken  node.CodeProbe = "collector/full-state-taken"
	ProbeFetchRetried    node.CodeProbe = "collector/fetch-retried"
	ProbeAskedAgain      node.CodeProbe = "collector/trimmed-meanwhile-asked-again"
	ProbeStaleReply      node.CodeProbe = "collector/stale-reply-dropped"
	ProbeDuplicate       node.CodeProbe = "collector/duplicate-event-dropped"
	ProbeMarkedDown      node.CodeProbe = "collector/marked-down-boots-again"
	ProbeSessionLost     node.CodeProbe = "collector/session-lost"
	ProbeMonitorRefused  node.CodeProbe = "collector/monitor-refused"
	ProbeBehindMonitor   node.CodeProbe = "collector/behind-its-monitor"
	ProbeUnsubscribed    node.CodeProbe = "collector/subscription-lost"
	ProbeCorruptDropped  node.CodeProbe = "collector/corrupt-message-dropped"
	ProbeRegisteredFull  node.CodeProbe = "collector/boot-found-in-full-state"
	ProbeOpenFailed      node.CodeProbe = "collector/store-open-failed"
	ProbePushWhileBehind node.CodeProbe = "collector/push-during-catch-up"
)

var codeProbes = []struct {
	probe        node.CodeProbe
	means, where string
}{
	{ProbeStoredAhead, "events arrived past a gap and were stored outside the log", "collector/catchup.go take"},
	{ProbeResumedAhead, "a restart found events stored past a gap: it resumed after its last confirmed one", "collector/store.go load"},
	{ProbeFullStateTaken, "the monitors had trimmed events it missed: it took the full state", "collector/catchup.go install"},
	{ProbeFetchRetried, "a query or fetch went unanswered and was sent again", "collector/catchup.go retry"},
	{ProbeAskedAgain, "a fetch found its events trimmed since the summary: it asked again", "collector/catchup.go onEvents"},
	{ProbeStaleReply, "an answer to an earlier request, or from an earlier session, was dropped", "collector/catchup.go answers"},
	{ProbeDuplicate, "an event it already held arrived again and was dropped", "collector/catchup.go take"},
	{ProbeMarkedDown, "its log said it had been marked down while alive: it booted again", "collector/session.go markedDown"},
	{ProbeSessionLost, "its monitor stopped acking: it tried another", "collector/session.go lose"},
	{ProbeMonitorRefused, "a monitor outside a quorum refused it: it tried another", "collector/session.go onAck"},
	{ProbeBehindMonitor, "its monitor held events it never got (a push lost): it caught up", "collector/session.go onAck"},
	{ProbeUnsubscribed, "its monitor no longer held its subscription (it restarted): it asked again", "collector/session.go onAck"},
	{ProbeCorruptDropped, "a message failed its checksum and was dropped", "collector/collector.go Deliver"},
	{ProbeRegisteredFull, "it learned from a full state, not an event, that its boot was recorded or its session ended", "collector/session.go ownState"},
	{ProbeOpenFailed, "the store failed to open: the collector stopped", "collector/store.go open"},
	{ProbePushWhileBehind, "a push arrived while it was still catching up", "collector/catchup.go onPush"},
}

// CodeProbes lists the collector's own code probes.
func CodeProbes() []node.CodeProbeInfo {
	out := make([]node.CodeProbeInfo, 0, len(codeProbes))
	for _, p := range codeProbes {
		out = append(out, node.CodeProbeInfo{Probe: p.probe, Means: p.means, Where: p.where})
	}
	return out
}
