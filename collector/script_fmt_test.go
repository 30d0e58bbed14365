package collector

import (
	"fmt"
	"strings"

	"github.com/monsim/monsim/node"
)

// One-line renderings for the scripts: nonces and hashes cut to six hex
// digits.

func short(h uint64) string { return fmt.Sprintf("%06x", h>>40) }

func fmtTime(ns int64) string {
	s := fmt.Sprintf("%d.%09d", ns/1e9, ns%1e9)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".") + "s"
}

func timerName(tag uint64) string {
	switch timerKind(tag) {
	case tReport:
		return "report"
	case tFetch:
		return "fetch"
	}
	return fmt.Sprintf("timer-%d", tag)
}

func fmtRecord(ev node.CollectorEvent) string {
	s := fmt.Sprintf("%d: %s c%d inc=%d", ev.Seq, ev.Change, ev.Collector, ev.Inc)
	switch ev.Change {
	case node.CollectorBoot:
		s += fmt.Sprintf(" nonce=%s status=%d", short(ev.Nonce), ev.Status)
	case node.CollectorStatus:
		s += fmt.Sprintf(" status=%d", ev.Status)
	}
	return s
}

func fmtRange(from, to uint64) string {
	if from == to {
		return fmt.Sprint(from)
	}
	return fmt.Sprintf("%d..%d", from, to)
}

func fmtVersions(vs []node.Version) string {
	if len(vs) == 0 {
		return "none"
	}
	return fmtRange(vs[0].V, vs[len(vs)-1].V)
}

func fmtMsg(m *node.Msg) string {
	var b strings.Builder
	b.WriteString(m.Type.String())
	f := func(format string, a ...any) { b.WriteByte(' '); fmt.Fprintf(&b, format, a...) }
	switch m.Type {
	case node.MColBoot:
		f("nonce=%s status=%d", short(m.Cookie), m.V)
	case node.MColStatus:
		f("nonce=%s status=%d confirmed=%d", short(m.Cookie), m.V, m.LC)
	case node.MColAck:
		if !m.Has(node.FlagInQuorum) {
			f("refused")
		} else {
			f("held=%d..%d", m.FC, m.LC)
		}
		if m.Has(node.FlagSubscribed) {
			f("subscribed")
		}
	case node.MColQuery:
		f("after=%d", m.LC)
	case node.MColSummary:
		f("held=%d..%d", m.FC, m.LC)
	case node.MColFetch:
		if m.Has(node.FlagFull) {
			f("full")
		} else {
			f("%s", fmtRange(m.FC, m.LC))
		}
	case node.MColEvents:
		if m.Has(node.FlagFull) {
			f("full at=%d", m.FC)
		} else {
			f("%s held=%d..%d", fmtVersions(m.Versions), m.FC, m.LC)
		}
	case node.MColPush:
		f("%s", fmtVersions(m.Versions))
	}
	return b.String()
}

func fmtEvent(ev *Event) string {
	var b strings.Builder
	b.WriteString(ev.Kind.String())
	f := func(format string, a ...any) { b.WriteByte(' '); fmt.Fprintf(&b, format, a...) }
	switch ev.Kind {
	case EvOpen:
		f("confirmed=%d base=%d ahead=%d table=%s", ev.Confirmed, ev.Base, ev.Count, short(ev.Hash))
	case EvStoreFailed:
		f("%s", ev.Detail)
	case EvStoring:
		f("%d", ev.Seq)
	case EvStored:
		f("%d", ev.Seq)
		if ev.Ahead {
			f("past a gap")
		}
	case EvConfirmed:
		f("%d table=%s", ev.Seq, short(ev.Hash))
	case EvCaughtUp:
		f("at=%d", ev.Seq)
	case EvInstalling:
		f("at=%d", ev.Seq)
	case EvFullState:
		f("at=%d table=%s", ev.Seq, short(ev.Hash))
	case EvSession:
		if ev.Peer < 0 {
			f("lost")
		} else {
			f("m%d", ev.Peer)
		}
	case EvQuery:
		f("m%d after=%d", ev.Peer, ev.Confirmed)
	case EvFetch:
		if ev.Full {
			f("m%d full", ev.Peer)
		} else {
			f("m%d %s", ev.Peer, fmtRange(ev.From, ev.To))
		}
		if ev.Retry {
			f("retry")
		}
	case EvFetched:
		if ev.Full {
			f("m%d full at=%d", ev.Peer, ev.From)
		} else {
			f("m%d %s got=%d new=%d", ev.Peer, fmtRange(ev.From, ev.To), ev.Count, ev.New)
		}
	case EvRegistered, EvMarkedDown:
		f("inc=%d nonce=%s at=%d", ev.Inc, short(ev.Nonce), ev.Seq)
	}
	return b.String()
}
