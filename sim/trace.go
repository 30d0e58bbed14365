package sim

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// Attr is one named field of a trace record: an integer or a string. Records
// carry a handful of them by value, so recording allocates nothing unless
// JSON output is on.
type Attr struct {
	Key   string
	Int   int64
	Str   string
	IsStr bool
}

// Int makes an integer attribute.
func Int(key string, v int64) Attr { return Attr{Key: key, Int: v} }

// Uint makes an integer attribute from an unsigned value (stored as its bits).
func Uint(key string, v uint64) Attr { return Attr{Key: key, Int: int64(v)} }

// Str makes a string attribute.
func Str(key, v string) Attr { return Attr{Key: key, Str: v, IsStr: true} }

// Trace keeps the rolling 64-bit hash of everything that happened in a run,
// and, when given a writer, writes each record as one JSON line. Two runs of
// the same seed must end with the same hash; the first differing record is
// where determinism broke.
type Trace struct {
	hash  uint64
	count int64
	w     io.Writer
	err   error
	buf   []byte
}

const (
	hashSeed  = 0x9e3779b97f4a7c15
	hashPrime = 0x100000001b3
)

// NewTrace returns a trace that writes JSON lines to w, or only hashes when w
// is nil.
func NewTrace(w io.Writer) *Trace {
	return &Trace{hash: hashSeed, w: w}
}

// Hash is the rolling hash of every record so far.
func (t *Trace) Hash() uint64 { return t.hash }

// Count is the number of records so far.
func (t *Trace) Count() int64 { return t.count }

// Err reports the first error from the JSON writer, if any.
func (t *Trace) Err() error { return t.err }

// Record adds one record: what happened (kind), where (node, -1 for the
// harness itself) and when (at, simulated ns).
func (t *Trace) Record(at int64, node int, kind Kind, attrs ...Attr) {
	t.count++
	h := mixInt(t.hash, at)
	h = mixInt(h, int64(node))
	h = mixStr(h, string(kind))
	for i := range attrs {
		a := &attrs[i]
		h = mixStr(h, a.Key)
		if a.IsStr {
			h = mixStr(h, a.Str)
		} else {
			h = mixInt(h, a.Int)
		}
	}
	t.hash = h
	if t.w != nil && t.err == nil {
		t.writeJSON(at, node, kind, attrs)
	}
}

func mixInt(h uint64, v int64) uint64 {
	h ^= uint64(v)
	h *= hashPrime
	h ^= h >> 29
	return h
}

func mixStr(h uint64, s string) uint64 {
	for len(s) >= 8 {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mixInt(h, int64(v))
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	return mixInt(h, int64(v^uint64(len(s))<<56))
}

func (t *Trace) writeJSON(at int64, node int, kind Kind, attrs []Attr) {
	b := t.buf[:0]
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, at, 10)
	b = append(b, `,"node":`...)
	b = strconv.AppendInt(b, int64(node), 10)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(kind))
	for i := range attrs {
		a := &attrs[i]
		b = append(b, ',')
		b = appendJSONString(b, a.Key)
		b = append(b, ':')
		if a.IsStr {
			b = appendJSONString(b, a.Str)
		} else {
			b = strconv.AppendInt(b, a.Int, 10)
		}
	}
	b = append(b, "}\n"...)
	t.buf = b
	_, t.err = t.w.Write(b)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string. Invalid UTF-8 becomes U+FFFD so
// every line stays valid JSON whatever a node put in a string.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
