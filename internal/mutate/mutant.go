// Package mutate is a small source mutator for mutation testing: it finds
// the places in type-checked Go files where a standard operator applies
// (Enumerate), turns each into a Mutant (one change at one position, with
// an id that stays the same across runs on the same source), applies it to
// the source text and prints it as a unified diff. runner.go builds and
// judges mutants against an external oracle command.
//
// Mutants are byte-range edits on the original text rather than rewritten
// ASTs, so everything a mutant does not touch (comments, layout) stays
// byte-for-byte the same and the diff shows only the change.
package mutate

import (
	"fmt"
	"slices"
	"strings"
)

// Op names a mutation operator.
type Op string

// The operators.
const (
	// CmpFlip flips a comparison: < and <=, > and >=, == and !=.
	CmpFlip Op = "cmp-flip"
	// BoundShift moves a bound by one: an integer literal, or the right
	// operand of an integer comparison, becomes x+1 or x-1.
	BoundShift Op = "bound-shift"
	// CallDrop drops a call: a call statement is removed, and a call whose
	// only result is an error and is assigned (err := f.Sync()) becomes
	// error(nil), so durability writes and syncs are dropped too.
	CallDrop Op = "call-drop"
	// IfNegate negates an if condition.
	IfNegate Op = "if-negate"
	// ArgSwap swaps two arguments of the same type in a call.
	ArgSwap Op = "arg-swap"
)

// AllOps lists every operator in the order Enumerate reports them at one
// position.
var AllOps = []Op{CmpFlip, BoundShift, CallDrop, IfNegate, ArgSwap}

// ParseOps reads a comma-separated list of operator names; "all" or ""
// means every operator.
func ParseOps(s string) ([]Op, error) {
	if s == "" || s == "all" {
		return slices.Clone(AllOps), nil
	}
	var ops []Op
	for _, name := range strings.Split(s, ",") {
		op := Op(strings.TrimSpace(name))
		if !slices.Contains(AllOps, op) {
			return nil, fmt.Errorf("unknown operator %q (known: %s)", op, opNames())
		}
		if !slices.Contains(ops, op) {
			ops = append(ops, op)
		}
	}
	return ops, nil
}

func opNames() string {
	var s []string
	for _, op := range AllOps {
		s = append(s, string(op))
	}
	return strings.Join(s, ", ")
}

// Edit replaces the bytes [Start, End) of the original file with New.
type Edit struct {
	Start, End int
	New        string
}

// Mutant is one change at one position of one file.
type Mutant struct {
	File  string // slash-separated path relative to the module root
	Line  int    // 1-based, of the position that names the mutant
	Col   int    // 1-based byte column
	Op    Op
	Index int    // tells apart mutants of one operator at one position
	Edits []Edit // disjoint; two for ArgSwap, one otherwise
}

// ID names the mutant as file:line:col:operator:index. It depends only on
// the source, so an equivalence list written for one run still applies to
// the next as long as the file is unchanged above the mutant.
func (m Mutant) ID() string {
	return fmt.Sprintf("%s:%d:%d:%s:%d", m.File, m.Line, m.Col, m.Op, m.Index)
}

// Apply returns src with the mutant's edits made. src must be the file the
// mutant was enumerated from.
func (m Mutant) Apply(src []byte) []byte {
	edits := slices.Clone(m.Edits)
	slices.SortFunc(edits, func(a, b Edit) int { return a.Start - b.Start })
	var out []byte
	at := 0
	for _, e := range edits {
		out = append(out, src[at:e.Start]...)
		out = append(out, e.New...)
		at = e.End
	}
	return append(out, src[at:]...)
}

// contextLines is how many unchanged lines a diff shows around a change.
const contextLines = 2

// Diff is the mutant as a unified diff of its file.
func (m Mutant) Diff(src []byte) string {
	old, neu, lo, oldHi, newHi := m.changedLines(src)
	from := max(lo-contextLines, 0)
	oldTo := min(oldHi+contextLines, len(old))
	newTo := newHi + (oldTo - oldHi)
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n", m.File, m.File)
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", from+1, oldTo-from, from+1, newTo-from)
	for _, l := range old[from:lo] {
		b.WriteString(" " + l + "\n")
	}
	for _, l := range old[lo:oldHi] {
		b.WriteString("-" + l + "\n")
	}
	for _, l := range neu[lo:newHi] {
		b.WriteString("+" + l + "\n")
	}
	for _, l := range old[oldHi:oldTo] {
		b.WriteString(" " + l + "\n")
	}
	return b.String()
}

// OneLine is the change on one line: the changed lines before and after,
// trimmed, as "old => new" ("(nothing)" for a removed statement).
func (m Mutant) OneLine(src []byte) string {
	old, neu, lo, oldHi, newHi := m.changedLines(src)
	join := func(ls []string) string {
		var parts []string
		for _, l := range ls {
			if t := strings.TrimSpace(l); t != "" {
				parts = append(parts, t)
			}
		}
		if len(parts) == 0 {
			return "(nothing)"
		}
		return strings.Join(parts, " ")
	}
	return join(old[lo:oldHi]) + " => " + join(neu[lo:newHi])
}

// changedLines splits the file before and after the mutant into lines and
// finds the block that differs: old[lo:oldHi] became neu[lo:newHi].
func (m Mutant) changedLines(src []byte) (old, neu []string, lo, oldHi, newHi int) {
	old = strings.Split(string(src), "\n")
	neu = strings.Split(string(m.Apply(src)), "\n")
	for lo < len(old) && lo < len(neu) && old[lo] == neu[lo] {
		lo++
	}
	oldHi, newHi = len(old), len(neu)
	for oldHi > lo && newHi > lo && old[oldHi-1] == neu[newHi-1] {
		oldHi--
		newHi--
	}
	return old, neu, lo, oldHi, newHi
}
