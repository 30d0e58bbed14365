package node

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/monsim/monsim/node/kvstore"
)

// Resuming a full sync, provider side (resume.go tells the protocol). Asked
// to resume a copy taken at s1 (every copied key is as of some version from
// s1 to top) that got as far as some key, the provider
//
//   - quiesces: it takes its fault-recovery snapshot at s2, its own lc. The
//     monitor handles one message at a time and applies each version as one
//     atomic batch, so the snapshot lies between two batches: none is half
//     in it, and s2 names exactly the state it holds. The snapshot is
//     pinned, copy-on-write, for the whole session: commits after s2 do not
//     reach it;
//   - refuses if s2 < top (its state is older than the copy), if it can
//     tell the changes since s1 neither from its log nor from a snapshot it
//     still holds at s1, or if its version s1 is another value than the one
//     the copy was taken from (the copy is of another history);
//   - sends the keys after the copy's last one as of s2 (the failed
//     interval), then the changes between s1 and s2 of the keys up to it,
//     then, as any full sync, the versions committed after s2.
//
// The changes come from the versions s1+1..s2 when its log still holds
// them: every key they touch, with its value at s2 or its deletion, after a
// range delete for each prefix delete and trim among them. That brings any
// key copied as of a version from s1 to s2 to its value at s2, so it also
// serves a copy an earlier resume left at two versions. Otherwise they come
// from comparing its snapshot at s1 (kept by a session it still serves)
// with s2's, which serves only a copy taken at s1 alone.

func (m *Monitor) handleResume(msg *Msg) {
	d := decoder{b: msg.Value}
	copied := decodePosition(&d)
	base, top, ident := msg.LC, msg.V, msg.Hash
	if d.err != nil || len(d.b) != 0 || base > top {
		m.send(msg.From, &Msg{Type: MSyncNoCookie})
		return
	}
	snap := m.store.Snapshot()
	s2 := getU64(snap, keyLC)
	if s2 < top && !m.cfg.Bugs.ResumeOlderProvider {
		m.reached(ProbeResumeRefusedOlder)
		m.refuseResume(msg, RefusedOlder, fmt.Sprintf("my lc %d is older than the copy's version %d", s2, top))
		return
	}
	changes, how, refusal, err := m.resumeChanges(snap, base, top, ident, copied)
	if err != nil {
		m.fail(err)
		return
	}
	if refusal != 0 {
		m.refuseResume(msg, refusal, how)
		return
	}
	if copied.done() {
		m.reached(ProbeResumeNothingLeft)
	}
	m.env.Point(PointProvideResumeSnapshot)
	s := &provision{requester: msg.From, full: true, resume: true, snap: snap, snapV: s2, pos: copied, nextV: s2 + 1,
		changes: changes, skipFirst: m.cfg.Bugs.ResumeSkipsBoundary}
	c, i := digest(snap, copied)
	m.emit(Event{Kind: EvResumeProvide, Peer: msg.From, Version: s2, FC: base, Hash: computeStateHash(snap), Full: true, Detail: how,
		Resume: &ResumeFacts{Base: base, Top: top, At: s2, Boundary: copied.String(), Copied: c, Interval: i}})
	cookie := Msg{Flags: FlagFull | FlagResume, V: s2, Seq: msg.Seq}
	cookie.Hash, _ = versionIdent(snap, s2)
	m.openSession(s, &cookie)
}

func (m *Monitor) refuseResume(msg *Msg, why ResumeRefusal, detail string) {
	m.emit(Event{Kind: EvResumeRefused, Peer: msg.From, Version: msg.LC, FC: m.fc, Full: true, Detail: why.String() + ": " + detail})
	m.send(msg.From, &Msg{Type: MSyncNoCookie, Flags: FlagResume, V: uint64(why), Seq: msg.Seq})
}

// resumeChanges finds the changes between base and the snapshot of the
// keys the copy holds, and says how, or why it cannot.
func (m *Monitor) resumeChanges(snap *kvstore.Snapshot, base, top, ident uint64, copied position) ([]Change, string, ResumeRefusal, error) {
	if fc := getU64(snap, keyFC); fc <= base {
		if id, held := versionIdent(snap, base); held && id != ident {
			return nil, fmt.Sprintf("version %d is txn %016x here, %016x in the copy", base, id, ident), RefusedIdentity, nil
		}
		m.reached(ProbeResumeFromLog)
		changes, err := m.logChanges(snap, base, copied)
		how := fmt.Sprintf("changes from the log of versions %d..%d", base+1, getU64(snap, keyLC))
		if s2 := getU64(snap, keyLC); s2 <= base {
			how = "no version since s1"
		}
		return changes, how, 0, err
	}
	if old := m.heldSnapshot(base); old != nil && base == top {
		if id, _ := versionIdent(old, base); id != ident {
			return nil, fmt.Sprintf("version %d is txn %016x here, %016x in the copy", base, id, ident), RefusedIdentity, nil
		}
		m.reached(ProbeResumeFromSnapshots)
		return snapshotChanges(old, snap, copied, m.cfg.Bugs.ResumeDropsDeletes), "changes by comparing snapshots", 0, nil
	}
	m.reached(ProbeResumeRefusedNoLog)
	why := fmt.Sprintf("my log starts at %d and I hold no snapshot at %d", getU64(snap, keyFC), base)
	if base < top {
		why = fmt.Sprintf("my log starts at %d, and the copy is from versions %d..%d", getU64(snap, keyFC), base, top)
	}
	return nil, why, RefusedNoChanges, nil
}

// heldSnapshot is a snapshot at version v a session of this provider still
// pins, or nil.
func (m *Monitor) heldSnapshot(v uint64) *kvstore.Snapshot {
	for _, id := range slices.Sorted(maps.Keys(m.prov.sessions)) {
		if s := m.prov.sessions[id]; s.full && s.snapV == v {
			return s.snap
		}
	}
	return nil
}

// logChanges reads the versions after base up to the snapshot's from the
// snapshot's own log: range deletes (prefix deletes, trims) first, then
// every key they touch with its value at the snapshot, or its deletion.
// Only the part of the copy up to copied is concerned: the rest comes whole
// from the snapshot.
func (m *Monitor) logChanges(snap *kvstore.Snapshot, base uint64, copied position) ([]Change, error) {
	drop := m.cfg.Bugs.ResumeDropsDeletes
	touched := map[string]bool{}
	var ranges []Change
	events := false
	for v := base + 1; v <= getU64(snap, keyLC); v++ {
		val, ok := snap.Get(versionKey(v))
		if !ok {
			return nil, fmt.Errorf("version %d missing from the log a resume reads", v)
		}
		t, err := decodeTxn(val)
		if err != nil {
			return nil, err
		}
		touched[versionKey(v)], touched[keyLC] = true, true
		for _, op := range t.ops {
			switch op.kind {
			case txPut, txDelete:
				touched[prefixKV+op.key] = true
			case txDeletePrefix:
				ranges = append(ranges, Change{Kind: ChangeDeleteRange, Key: prefixKV + op.key, End: prefixEnd(prefixKV + op.key)})
			case txResult:
				touched[clientKey(op.result.client)] = true
			case txTrim:
				touched[keyFC] = true
				ranges = append(ranges, Change{Kind: ChangeDeleteRange, Key: prefixVersion, End: versionKey(op.trim)})
			case txEvent, txEventTrim:
				events = true
			}
		}
	}
	if events {
		// A collector event rewrites the events' bounds and table, a trim
		// drops the oldest: the events part is taken whole, as of s2.
		ranges = append(ranges, Change{Kind: ChangeDeleteRange, Key: prefixEvents, End: prefixEnd(prefixEvents)})
		snap.Iterate(prefixEvents, func(k string, _ []byte) bool {
			touched[k] = true
			return true
		})
	}
	var out []Change
	if !drop {
		out = clipRanges(ranges, copied)
		if len(out) > 0 {
			m.reached(ProbeResumeRangeDelete)
		}
	}
	keys := slices.Collect(maps.Keys(touched))
	copyOrder(keys)
	for _, k := range keys {
		if !copied.covers(k) {
			continue
		}
		if val, ok := snap.Get(k); ok {
			out = append(out, Change{Kind: ChangePut, Key: k, Value: val})
		} else if !drop {
			out = append(out, Change{Kind: ChangeDelete, Key: k})
		}
	}
	return out, nil
}

// clipRanges merges range deletes and cuts them to the copy's first part:
// a range past the copy's last key would delete keys the failed interval
// brought as of s2.
func clipRanges(ranges []Change, copied position) []Change {
	slices.SortFunc(ranges, func(a, b Change) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.End, b.End)
	})
	var out []Change
	for _, r := range ranges {
		i := prefixIndex(r.Key)
		if i > copied.prefix || i == copied.prefix && copied.after == "" {
			continue
		}
		if i == copied.prefix && r.End > copied.after+"\x00" {
			r.End = copied.after + "\x00"
		}
		if r.Key >= r.End {
			continue
		}
		if n := len(out); n > 0 && r.Key <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

// prefixEnd is the first key after every key starting with p.
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "\xff" // keys are printable: nothing sorts past it
}

// snapshotChanges compares the snapshots at s1 and s2 over the copy's first
// part: each key whose value differs or is new, and each key gone.
func snapshotChanges(old, cur *kvstore.Snapshot, copied position, dropDeletes bool) []Change {
	var out []Change
	for i, prefix := range replicatedPrefixes {
		if i > copied.prefix {
			break
		}
		was := map[string][]byte{}
		old.Iterate(prefix, func(k string, v []byte) bool {
			if copied.covers(k) {
				was[k] = v
			}
			return copied.covers(k)
		})
		cur.Iterate(prefix, func(k string, v []byte) bool {
			if !copied.covers(k) {
				return false
			}
			if w, ok := was[k]; !ok || string(w) != string(v) {
				out = append(out, Change{Kind: ChangePut, Key: k, Value: v})
			}
			delete(was, k)
			return true
		})
		if dropDeletes {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(was)) {
			out = append(out, Change{Kind: ChangeDelete, Key: k})
		}
	}
	return out
}
