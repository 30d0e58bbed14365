package node

import (
	"slices"
	"strings"

	"github.com/monsim/monsim/node/kvstore"
)

// A full sync's progress, kept durable with the in-sync mark so that an
// interrupted sync resumes instead of starting over (resume.go). A full
// sync copies the replicated keys in one fixed order, prefix by prefix
// (replicatedPrefixes), each in key order; a position is a point in that
// order, and the copy holds every key before its position and none after.

// position is a point in the order a full sync copies keys.
type position struct {
	prefix int    // index into replicatedPrefixes; len(replicatedPrefixes) is the end
	after  string // the last key copied in that prefix, "" for none yet
}

func endPosition() position { return position{prefix: len(replicatedPrefixes)} }

// done says whether every key is copied.
func (p position) done() bool { return p.prefix >= len(replicatedPrefixes) }

// covers says whether key comes at or before p: in the copy, if p is how
// far the copy got.
func (p position) covers(key string) bool {
	i := prefixIndex(key)
	return i < p.prefix || i == p.prefix && p.after != "" && key <= p.after
}

// before orders positions.
func (p position) before(q position) bool {
	return p.prefix < q.prefix || p.prefix == q.prefix && p.after < q.after
}

// positionAfter is the position of a copy whose last key is key.
func positionAfter(key string) position { return position{prefix: prefixIndex(key), after: key} }

// prefixIndex is the replicated prefix key belongs to, or
// len(replicatedPrefixes) for a key no sync copies.
func prefixIndex(key string) int {
	for i, p := range replicatedPrefixes {
		if strings.HasPrefix(key, p) {
			return i
		}
	}
	return len(replicatedPrefixes)
}

// copyOrder sorts keys in the order a full sync copies them.
func copyOrder(keys []string) {
	slices.SortFunc(keys, func(a, b string) int {
		if d := prefixIndex(a) - prefixIndex(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
}

func (p position) String() string {
	switch {
	case p.done():
		return "end"
	case p.after != "":
		return p.after
	case p.prefix == 0:
		return "start"
	}
	return "before " + replicatedPrefixes[p.prefix]
}

func (p position) encode(e *encoder) {
	e.u8(uint8(p.prefix))
	e.str(p.after)
}

func decodePosition(d *decoder) position {
	p := position{prefix: int(d.u8()), after: d.str()}
	if p.prefix > len(replicatedPrefixes) {
		d.fail()
	}
	return p
}

// progress is how far a full sync's copy got, as kept in the store.
type progress struct {
	copied position // every replicated key before it is in the copy, none after
	// base and top bound the versions the copied keys were taken at: a
	// resumed sync's keys after its first position come from a newer
	// snapshot than those before it, until its changes catch those up.
	base, top uint64
	ident     uint64   // TxnHash of version base as the provider held it: the history the copy is of
	provider  int      // the monitor the copy's last chunk came from, -1 for none
	high      position // the furthest any attempt of this sync made durable (resent bytes)
}

func emptyProgress() progress { return progress{provider: -1} }

// copiedNothing says whether the copy holds nothing to resume from.
func (p *progress) copiedNothing() bool { return p.copied == position{} }

func (p *progress) encode() []byte {
	var e encoder
	p.copied.encode(&e)
	e.uvarint(p.base)
	e.uvarint(p.top)
	e.uvarint(p.ident)
	e.varint(int64(p.provider))
	p.high.encode(&e)
	return e.b
}

// readProgress reads the store's sync progress; a missing or unreadable
// record is no progress at all.
func readProgress(r kvstore.Reader) progress {
	b, ok := r.Get(keySyncProgress)
	if !ok {
		return emptyProgress()
	}
	d := decoder{b: b}
	p := progress{copied: decodePosition(&d), base: d.uvarint(), top: d.uvarint(), ident: d.uvarint(),
		provider: int(d.varint()), high: decodePosition(&d)}
	if d.err != nil || len(d.b) != 0 || p.base > p.top {
		return emptyProgress()
	}
	return p
}

// PartDigest sums the keys of one part of a store: how many, and the sum of
// their pairHash.
type PartDigest struct {
	Keys int64
	Hash uint64
}

func (d *PartDigest) add(key string, value []byte) {
	d.Keys++
	d.Hash += pairHash(key, value)
}

// digest sums r's replicated keys in two parts: those at or before
// boundary, and those after it.
func digest(r kvstore.Reader, boundary position) (copied, interval PartDigest) {
	for _, prefix := range replicatedPrefixes {
		r.Iterate(prefix, func(k string, v []byte) bool {
			if boundary.covers(k) {
				copied.add(k, v)
			} else {
				interval.add(k, v)
			}
			return true
		})
	}
	return copied, interval
}

// versionIdent is the identity of version v in r: its transaction's hash.
func versionIdent(r kvstore.Reader, v uint64) (uint64, bool) {
	val, ok := r.Get(versionKey(v))
	if !ok {
		return 0, false
	}
	return TxnHash(val), true
}
