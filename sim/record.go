package sim

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Kind says what a trace record reports. The kernel's own kinds are
// constants; faults, disk faults and the nodes' own events form families
// whose names carry a prefix, made and read only by this file.
type Kind string

// The kernel's record kinds.
const (
	KindStart           Kind = "start"            // a node booted: incarnation
	KindTimer           Kind = "timer"            // a node's timer fired: tag
	KindDeliver         Kind = "deliver"          // a message reached a node: from, len, crc
	KindDrop            Kind = "drop"             // a message found its node down or cut off: from, why
	KindPoint           Kind = "point"            // a node passed a probe point: name, nth
	KindNetDrop         Kind = "net/drop"         // the network lost a message: to, why
	KindNetDup          Kind = "net/dup"          // ...duplicated one: to
	KindNetCorrupt      Kind = "net/corrupt"      // ...flipped bits in one: to
	KindFaultArmed      Kind = "fault/armed"      // a point-triggered fault waits for ops or a delay
	KindFaultUnresolved Kind = "fault/unresolved" // a fault's node reference named no node: skipped
	KindFaultNoTarget   Kind = "fault/no-target"  // a corruption found nothing to damage
	KindFaultHealed     Kind = "fault/healed"     // a triggered fault came due after a heal: not applied
)

const (
	faultPrefix = "fault/"
	diskPrefix  = "disk/"
	eventPrefix = "ev/"
)

// traceKind is the record kind of a planned fault being applied.
func (k FaultKind) traceKind() Kind { return Kind(faultPrefix + string(k)) }

// DiskKind is the record kind of a fault a disk reports (faultfs.Fault's
// Kind: power-loss, corrupt/bit-flip, eio/write, ...).
func DiskKind(faultfsKind string) Kind { return Kind(diskPrefix + faultfsKind) }

// EventKind is the record kind of a node's own event, named by the node.
func EventKind(name string) Kind { return Kind(eventPrefix + name) }

// Fault reports whether the record is a planned fault being applied, and
// its kind (false for fault/armed and the other kernel notes).
func (k Kind) Fault() (FaultKind, bool) {
	rest, ok := strings.CutPrefix(string(k), faultPrefix)
	if !ok || !slices.Contains(faultKinds, FaultKind(rest)) {
		return "", false
	}
	return FaultKind(rest), true
}

// Disk reports whether the record is a fault a disk reported, and its
// faultfs kind.
func (k Kind) Disk() (string, bool) { return strings.CutPrefix(string(k), diskPrefix) }

// Event reports whether the record is a node's own event, and its name.
func (k Kind) Event() (string, bool) { return strings.CutPrefix(string(k), eventPrefix) }

// Record is one decoded trace line.
type Record struct {
	T     int64
	Node  int
	Kind  Kind
	Attrs []Attr // in the order they were recorded
}

// Int is the named integer attribute, or 0.
func (r *Record) Int(key string) int64 {
	for _, a := range r.Attrs {
		if a.Key == key && !a.IsStr {
			return a.Int
		}
	}
	return 0
}

// Str is the named string attribute, or "".
func (r *Record) Str(key string) string {
	for _, a := range r.Attrs {
		if a.Key == key && a.IsStr {
			return a.Str
		}
	}
	return ""
}

// Has says whether the record carries the named attribute.
func (r *Record) Has(key string) bool {
	return slices.ContainsFunc(r.Attrs, func(a Attr) bool { return a.Key == key })
}

// ErrBadTrace is returned for a trace that is not what Trace writes.
var ErrBadTrace = errors.New("bad trace")

// DecodeTrace reads a JSON-lines trace, as Trace writes it, ordered by
// time. Records of different nodes are stamped with their own handler's
// clock and may come out of order; the sort is stable, so records of the
// same instant keep their causal order.
func DecodeTrace(r io.Reader) ([]Record, error) {
	var recs []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec, err := decodeRecord(line)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v: %.80q", ErrBadTrace, n, err, line)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTrace, err)
	}
	slices.SortStableFunc(recs, func(a, b Record) int { return cmp.Compare(a.T, b.T) })
	return recs, nil
}

// decodeRecord reads one line: an object whose first three keys are t,
// node and kind, then attributes that are integers or strings.
func decodeRecord(line []byte) (Record, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Record{}, errors.New("not a JSON object")
	}
	rec := Record{Node: -1}
	seen := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Record{}, err
		}
		key, _ := tok.(string)
		if tok, err = dec.Token(); err != nil {
			return Record{}, err
		}
		a := Attr{Key: key}
		switch v := tok.(type) {
		case json.Number:
			if a.Int, err = v.Int64(); err != nil {
				return Record{}, fmt.Errorf("%s is not an integer", key)
			}
		case string:
			a.Str, a.IsStr = v, true
		default:
			return Record{}, fmt.Errorf("%s is neither an integer nor a string", key)
		}
		switch key {
		case "t":
			rec.T, seen = a.Int, seen|1
		case "node":
			rec.Node, seen = int(a.Int), seen|2
		case "kind":
			rec.Kind, seen = Kind(a.Str), seen|4
		default:
			rec.Attrs = append(rec.Attrs, a)
		}
	}
	if seen != 7 || rec.Kind == "" {
		return Record{}, errors.New("not a trace record (needs t, node and kind)")
	}
	return rec, nil
}
