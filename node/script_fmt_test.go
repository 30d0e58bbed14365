package node

import (
	"fmt"
	"strings"
)

// One-line renderings of events, messages and transactions for the
// scripts: fixed field order, no pointers, no OS error text, and hashes cut
// to six hex digits, plenty to tell a few states apart.

const clientBase = 100 // endpoints from here on are clients

func endpoint(r int) string {
	if r >= clientBase {
		return fmt.Sprintf("c%d", r)
	}
	return fmt.Sprintf("n%d", r)
}

func fmtHash(h uint64) string { return fmt.Sprintf("%06x", h>>40) }

// fmtTime prints local nanoseconds as seconds, without trailing zeros.
func fmtTime(ns int64) string {
	s := fmt.Sprintf("%d.%09d", ns/1e9, ns%1e9)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".") + "s"
}

func fmtQuorum(q uint64) string {
	var r []string
	for i := range 64 {
		if q&(1<<i) != 0 {
			r = append(r, fmt.Sprint(i))
		}
	}
	return "{" + strings.Join(r, ",") + "}"
}

func fmtCookie(c uint64) string { return fmt.Sprintf("%d.%d", c>>24, c&(1<<24-1)) }

func fmtVersions(vs []Version) string {
	if len(vs) == 0 {
		return ""
	}
	if len(vs) == 1 {
		return fmt.Sprintf(" versions=%d", vs[0].V)
	}
	return fmt.Sprintf(" versions=%d..%d", vs[0].V, vs[len(vs)-1].V)
}

// errClass keeps node's own error text and reduces any store or disk error
// to its kind.
func errClass(s string) string {
	if _, inner, ok := strings.Cut(s, "store failed: "); ok {
		s = inner // Err() wraps the store's error with the rank
	}
	switch {
	case strings.Contains(s, "kvstore: corrupt"):
		return "corrupt store"
	case strings.Contains(s, errStoreMissing.Error()):
		return "store missing"
	case strings.Contains(s, "injected"):
		return "injected I/O error"
	case strings.Contains(s, "stale handle"):
		return "stale handle"
	case strings.Contains(s, "repair mark"), strings.Contains(s, errBadTxn.Error()):
		return s
	}
	return "I/O error"
}

// scrubDetail replaces the store error an event detail quotes by its class.
func scrubDetail(s string) string {
	const sep = "failed to open: "
	if i := strings.Index(s, sep); i >= 0 {
		return s[:i+len(sep)] + errClass(s[i+len(sep):])
	}
	return s
}

func fmtEvent(ev *Event) string {
	var b strings.Builder
	b.WriteString(ev.Kind.String())
	f := func(format string, a ...any) { b.WriteByte(' '); fmt.Fprintf(&b, format, a...) }
	switch ev.Kind {
	case EvStoreOpen:
		which := "store"
		if ev.Copy {
			which = "store.repair"
		}
		f("%s lc=%d fc=%d e=%d h=%s", which, ev.Version, ev.FC, ev.Epoch, fmtHash(ev.Hash))
		if ev.Partial {
			f("partial")
		}
		if ev.PN != 0 {
			f("pn=%d", ev.PN)
		}
		if ev.Pending != 0 {
			f("pending=%d@%d", ev.Pending, ev.PendingPN)
		}
		if ev.Mixed {
			f("mixed")
		}
	case EvStoreFailed:
		f("%s", errClass(ev.Detail))
	case EvCommit:
		f("v=%d e=%d txn=%s", ev.Version, ev.Epoch, fmtHash(ev.Hash))
	case EvApply:
		if ev.Mixed {
			f("v=%d fc=%d mixed", ev.Version, ev.FC)
		} else {
			f("v=%d fc=%d h=%s", ev.Version, ev.FC, fmtHash(ev.Hash))
		}
	case EvVote:
		f("for=n%d e=%d", ev.Peer, ev.Epoch)
	case EvQuorum:
		f("e=%d q=%s leader=n%d", ev.Epoch, fmtQuorum(ev.Quorum), ev.Peer)
	case EvLease:
		f("until=%s e=%d", fmtTime(ev.Until), ev.Epoch)
	case EvSyncStart:
		f("from=n%d full=%t lc=%d", ev.Peer, ev.Full, ev.Version)
	case EvSyncChunk:
		f("from=n%d lc=%d", ev.Peer, ev.Version)
		if ev.Detail != "" {
			f("%s", ev.Detail)
		}
		if ev.Resent != 0 {
			f("resent=%dB", ev.Resent)
		}
	case EvSyncFinish:
		f("from=n%d full=%t lc=%d h=%s provider-lc=%d", ev.Peer, ev.Full, ev.Version, fmtHash(ev.Hash), ev.FC)
	case EvSyncAbort:
		f("from=n%d: %s", ev.Peer, ev.Detail)
	case EvTrim:
		f("fc=%d at v=%d", ev.FC, ev.Version)
	case EvState:
		f("%s e=%d", ev.Phase, ev.Epoch)
	case EvBootstrap:
		f("%s", ev.Detail)
	case EvCorruptMsg:
		f("from %s", endpoint(ev.Peer))
	case EvProvide:
		f("to=n%d full=%t lc=%d", ev.Peer, ev.Full, ev.Version)
	case EvProbeReply:
		f("to=n%d", ev.Peer)
	case EvClientReply:
		f("to=%s v=%d", endpoint(ev.Peer), ev.Version)
	case EvMarkedClear:
		f("%s", ev.Detail)
	case EvPromise:
		f("pn=%d e=%d", ev.PN, ev.Epoch)
	case EvAccept:
		f("v=%d pn=%d e=%d", ev.Version, ev.PN, ev.Epoch)
	case EvRead:
		f("by=%s lc=%d e=%d", endpoint(ev.Peer), ev.Version, ev.Epoch)
	case EvRepairStart:
		f("%s", ev.Start)
		if ev.Detail != "" {
			f("%s", scrubDetail(ev.Detail))
		}
		if ev.Version != 0 || ev.Hash != 0 {
			f("lc=%d h=%s", ev.Version, fmtHash(ev.Hash))
		}
	case EvRepairSource:
		f("n%d lc=%d: %s", ev.Peer, ev.Version, ev.Detail)
	case EvRepairCompleted:
		f("lc=%d h=%s full=%t epoch-seen=%d", ev.Version, fmtHash(ev.Hash), ev.Full, ev.Epoch)
	case EvRepairSwitched:
		f("lc=%d h=%s fence=%d", ev.Version, fmtHash(ev.Hash), ev.Epoch)
	case EvRepairRejoined:
		f("e=%d seen-from=n%d", ev.Epoch, ev.Peer)
	case EvResumeProvide:
		r := ev.Resume
		f("to=n%d s1=%s s2=%d after=%s h=%s: %s", ev.Peer, fmtVersionRange(r.Base, r.Top), r.At, r.Boundary, fmtHash(ev.Hash), ev.Detail)
	case EvResumeRefused:
		f("to=n%d s1=%d: %s", ev.Peer, ev.Version, ev.Detail)
	case EvSyncResume:
		r := ev.Resume
		f("from=n%d s1=%s s2=%d after=%s", ev.Peer, fmtVersionRange(r.Base, r.Top), r.At, r.Boundary)
	case EvSyncResumed:
		r := ev.Resume
		f("from=n%d s2=%d h=%s keys=%d+%d", ev.Peer, ev.Version, fmtHash(ev.Hash), r.Copied.Keys, r.Interval.Keys)
	case EvRecorded:
		f("%s table=%s", fmtCollectorEvent(ev.Record), fmtHash(ev.Hash))
	case EvPageDamaged:
		f("page=%d lc=%d", ev.Page, ev.Version)
	case EvPageSource:
		f("page=%d from=n%d lc=%d reports=%s: %s", ev.Page, ev.Peer, ev.Version, fmtQuorum(ev.Quorum), ev.Detail)
	case EvPageInstalled:
		f("page=%d from=n%d at v=%d bytes=%d", ev.Page, ev.Peer, ev.Version, ev.Bytes)
		if ev.Local {
			f("local")
		}
	case EvPageRepairDone:
		if ev.Mixed {
			f("lc=%d: %s", ev.Version, ev.Detail)
		} else {
			f("lc=%d h=%s", ev.Version, fmtHash(ev.Hash))
		}
	case EvPageServed:
		f("page=%d to=n%d lc=%d", ev.Page, ev.Peer, ev.Version)
	case EvPageFallback:
		f("%s", ev.Detail)
	}
	return b.String()
}

func fmtVersionRange(a, b uint64) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d..%d", a, b)
}

// fmtPages renders page LSNs: p2@7 for the sender's own, n1:p2@5 for what
// it knows of another monitor's, p2 for a page asked for.
func fmtPages(m *Msg) string {
	var parts []string
	for _, p := range m.Pages {
		switch {
		case m.Type == MPageProbe || m.Type == MPageFetch:
			parts = append(parts, fmt.Sprintf("p%d", p.Page))
		case p.Rank == m.From:
			parts = append(parts, fmt.Sprintf("p%d@%d", p.Page, p.LSN))
		default:
			parts = append(parts, fmt.Sprintf("n%d:p%d@%d", p.Rank, p.Page, p.LSN))
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func fmtMsg(m *Msg) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s e=%d", m.Type, m.Epoch)
	f := func(format string, a ...any) { b.WriteByte(' '); fmt.Fprintf(&b, format, a...) }
	switch m.Type {
	case MProbeReply:
		f("fc=%d lc=%d leader=%d", m.FC, m.LC, m.Leader)
		if m.Has(FlagInQuorum) {
			f("q=%s", fmtQuorum(m.Quorum))
		}
		if m.Has(FlagSyncing) {
			f("syncing")
		}
		if m.Has(FlagRepairing) {
			f("repairing")
		}
	case MAck:
		f("until=%s", fmtTime(m.Until))
	case MVictory:
		f("q=%s", fmtQuorum(m.Quorum))
	case MCollect:
		f("pn=%d fc=%d lc=%d q=%s", m.PN, m.FC, m.LC, fmtQuorum(m.Quorum))
	case MLast:
		f("pn=%d fc=%d lc=%d", m.PN, m.FC, m.LC)
		if m.V != 0 {
			f("uncommitted=%d@%d", m.V, m.PendingPN)
		}
		b.WriteString(fmtVersions(m.Versions))
	case MBegin:
		f("pn=%d v=%d lc=%d %s", m.PN, m.V, m.LC, fmtTxn(m.Value))
		b.WriteString(fmtVersions(m.Versions))
	case MAccept:
		f("pn=%d v=%d", m.PN, m.V)
	case MCommit:
		f("lc=%d", m.LC)
		b.WriteString(fmtVersions(m.Versions))
	case MLease:
		f("lc=%d until=%s", m.LC, fmtTime(m.Until))
	case MLeaseAck:
		f("until=%s fc=%d lc=%d", fmtTime(m.Until), m.FC, m.LC)
	case MSyncGetCookie:
		if m.Has(FlagResume) {
			d := decoder{b: m.Value}
			f("resume s1=%s after=%s", fmtVersionRange(m.LC, m.V), decodePosition(&d))
			break
		}
		f("full=%t lc=%d", m.Has(FlagFull), m.LC)
	case MSyncCookie:
		f("cookie=%s fc=%d lc=%d", fmtCookie(m.Cookie), m.FC, m.LC)
		if m.Has(FlagResume) {
			f("resume s2=%d", m.V)
		}
	case MSyncGetChunk:
		f("cookie=%s seq=%d", fmtCookie(m.Cookie), m.Seq)
	case MSyncChunk:
		f("cookie=%s seq=%d", fmtCookie(m.Cookie), m.Seq)
		if len(m.Pairs) > 0 {
			f("pairs=%d", len(m.Pairs))
		}
		if len(m.Changes) > 0 {
			f("changes=%s", fmtChanges(m.Changes))
		}
		if m.Has(FlagSnapDone) {
			f("snapshot-done")
		}
		b.WriteString(fmtVersions(m.Versions))
		if m.Has(FlagLast) {
			f("last lc=%d h=%s", m.LC, fmtHash(m.Hash))
		}
	case MSyncNoCookie:
		if m.Cookie != 0 {
			f("cookie=%s", fmtCookie(m.Cookie))
		}
		if m.Has(FlagResume) {
			f("refused: %s", ResumeRefusal(m.V))
		}
	case MClientRequest, MForward:
		f("%s", fmtOp(&m.Op))
	case MClientReply:
		f("%s", fmtReply(&m.Op))
	case MColBoot:
		f("c%d session=%d status=%d", m.Seq, m.Cookie, m.V)
	case MColStatus:
		f("c%d session=%d status=%d confirmed=%d", m.Seq, m.Cookie, m.V, m.LC)
	case MColAck, MColSummary:
		if m.Type == MColAck && !m.Has(FlagInQuorum) {
			f("refused")
		} else {
			f("held=%d..%d", m.FC, m.LC)
		}
		if m.Has(FlagSubscribed) {
			f("subscribed")
		}
	case MColQuery:
		f("after=%d", m.LC)
	case MColFetch:
		if m.Has(FlagFull) {
			f("full")
		} else {
			f("%d..%d", m.FC, m.LC)
		}
	case MColEvents, MColPush:
		if m.Has(FlagFull) {
			t, _ := DecodeCollectorTable(m.Value)
			f("full at=%d table=%s", m.FC, fmtHash(t.Hash()))
		}
		for _, v := range m.Versions {
			ev, _ := DecodeCollectorEvent(v.Value)
			f("[%s]", fmtCollectorEvent(ev))
		}
		if m.Type == MColEvents && len(m.Versions) == 0 && !m.Has(FlagFull) {
			f("none held=%d..%d", m.FC, m.LC)
		}
	case MPageProbe, MPageFetch:
		f("lc=%d pages=%s", m.LC, fmtPages(m))
	case MPageReport:
		f("fc=%d lc=%d pages=%s", m.FC, m.LC, fmtPages(m))
		if m.Has(FlagPageRepair) {
			f("repairing-pages")
		}
		if m.Has(FlagSyncing) {
			f("syncing")
		}
	case MPageData:
		f("lc=%d page=%s pairs=%d", m.LC, fmtPages(m), len(m.Pairs))
		if m.Has(FlagRefused) {
			f("refused")
		}
	}
	return b.String()
}

// fmtCollectorEvent renders a collector event: #3 stop c100 inc=1.
func fmtCollectorEvent(ev CollectorEvent) string {
	s := fmt.Sprintf("#%d %s c%d inc=%d", ev.Seq, ev.Change, ev.Collector, ev.Inc)
	switch ev.Change {
	case CollectorBoot:
		s += fmt.Sprintf(" session=%d status=%d", ev.Nonce, ev.Status)
	case CollectorStatus:
		s += fmt.Sprintf(" status=%d", ev.Status)
	}
	return s
}

func fmtOp(o *ClientOp) string {
	s := fmt.Sprintf("c%d#%d %s %s", o.Client, o.ReqID, o.Kind, o.Key)
	switch o.Kind {
	case OpPut:
		s += "=" + string(o.Value)
	case OpCas:
		s += fmt.Sprintf("=%s if %q", o.Value, o.Expect)
	}
	return s
}

func fmtReply(o *ClientOp) string {
	s := fmt.Sprintf("c%d#%d %s %s", o.Client, o.ReqID, o.Kind, o.Status)
	switch {
	case o.Status == StatusRetry:
		s += fmt.Sprintf(" leader=%d", o.Leader)
	case o.Kind == OpGet && o.Found:
		s += fmt.Sprintf(" %s=%s lc=%d", o.Key, o.Value, o.Version)
	case o.Kind == OpGet:
		s += fmt.Sprintf(" %s missing lc=%d", o.Key, o.Version)
	default:
		s += fmt.Sprintf(" v=%d", o.Version)
	}
	return s
}

// fmtChanges counts a resumed sync's changes by kind: puts, deletes and
// range deletes, the last ones spelled out.
func fmtChanges(cs []Change) string {
	var puts, dels int
	var ranges []string
	for _, c := range cs {
		switch c.Kind {
		case ChangePut:
			puts++
		case ChangeDelete:
			dels++
		case ChangeDeleteRange:
			ranges = append(ranges, fmt.Sprintf("[%s,%s)", c.Key, c.End))
		}
	}
	s := fmt.Sprintf("%dput/%ddel", puts, dels)
	if len(ranges) > 0 {
		s += "/range" + strings.Join(ranges, "")
	}
	return s
}

// fmtTxn renders a proposed value: its writes, client results and trim.
func fmtTxn(value []byte) string {
	t, err := decodeTxn(value)
	if err != nil {
		return "txn=<malformed>"
	}
	var ops []string
	for _, op := range t.ops {
		switch op.kind {
		case txPut:
			ops = append(ops, fmt.Sprintf("put %s=%s", op.key, op.value))
		case txDelete:
			ops = append(ops, "delete "+op.key)
		case txDeletePrefix:
			ops = append(ops, "delete-prefix "+op.key)
		case txResult:
			ops = append(ops, fmt.Sprintf("c%d#%d %s", op.result.client, op.result.reqID, op.result.status))
		case txTrim:
			ops = append(ops, fmt.Sprintf("trim<%d", op.trim))
		case txEvent:
			ops = append(ops, fmtCollectorEvent(op.event))
		case txEventTrim:
			ops = append(ops, fmt.Sprintf("events<%d", op.trim))
		}
	}
	return "[" + strings.Join(ops, "; ") + "]"
}
