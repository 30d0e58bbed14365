package checker

import "fmt"

// maxViolationsPerChecker bounds what one checker records in a run: the
// first few breaches say what went wrong, the hundredth echo of the same
// divergence adds nothing but memory.
const maxViolationsPerChecker = 20

// record keeps one checker's violations, the first maxViolationsPerChecker
// of them, and counts the rest.
type record struct {
	list    []Violation
	dropped int
}

func (r *record) add(v Violation) {
	if len(r.list) < maxViolationsPerChecker {
		r.list = append(r.list, v)
		return
	}
	r.dropped++
}

func (r *record) addf(checker Name, node int, at int64, format string, args ...any) {
	if len(r.list) >= maxViolationsPerChecker {
		r.dropped++
		return
	}
	r.add(Violation{Checker: checker, Node: node, At: at, Reason: fmt.Sprintf(format, args...)})
}

// denseVersions bounds the slice part of a versionTable; versions beyond
// it (only a corrupt or planted event would report one) go to a map, so a
// wild version number cannot allocate gigabytes.
const denseVersions = 1 << 20

// versionTable maps paxos versions, which grow by one from 1, to facts
// about them: a slice indexed by version while versions stay plausible.
type versionTable[T any] struct {
	dense  []T
	has    []bool
	sparse map[uint64]T
}

func (t *versionTable[T]) get(v uint64) (T, bool) {
	if v < uint64(len(t.dense)) {
		return t.dense[v], t.has[v]
	}
	if v >= denseVersions {
		x, ok := t.sparse[v]
		return x, ok
	}
	var zero T
	return zero, false
}

func (t *versionTable[T]) put(v uint64, x T) {
	if v >= denseVersions {
		if t.sparse == nil {
			t.sparse = map[uint64]T{}
		}
		t.sparse[v] = x
		return
	}
	for uint64(len(t.dense)) <= v {
		var zero T
		t.dense = append(t.dense, zero)
		t.has = append(t.has, false)
	}
	t.dense[v], t.has[v] = x, true
}

// grow extends s so that index i exists.
func grow[T any](s []T, i int) []T {
	for len(s) <= i {
		var zero T
		s = append(s, zero)
	}
	return s
}
