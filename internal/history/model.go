package history

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// opKind is one operation of a Jepsen history: register ops (read, write,
// cas) or key-value ops (get, put, append).
type opKind uint8

const (
	opRead opKind = iota + 1
	opWrite
	opCas
	opGet
	opPut
	opAppend
)

var opNames = [...]string{
	opRead: "read", opWrite: "write", opCas: "cas",
	opGet: "get", opPut: "put", opAppend: "append",
}

func (k opKind) String() string {
	if k >= opRead && k <= opAppend {
		return opNames[k]
	}
	return fmt.Sprintf("op-%d", k)
}

func parseOpKind(name string) (opKind, bool) {
	for k := opRead; k <= opAppend; k++ {
		if opNames[k] == name {
			return k, true
		}
	}
	return 0, false
}

// isRegister tells the two families apart: a register distinguishes an
// absent value (nil) from every written one; a key-value store reads an
// absent key as the empty string, as porcupine's kv test data does.
func (k opKind) isRegister() bool { return k <= opCas }

// Input and output of one operation. Register values are EDN text (4,
// "a", :x), so the number 4 and the string "4" differ; key-value values are
// string contents, since append concatenates them.
type opInput struct {
	kind   opKind
	key    string
	value  string // write, put, append: the value; cas: the new value
	expect string // cas: the value the register must hold
	// cas: the register must hold nothing (cas [nil x])
	expectNil bool
}

type opOutput struct {
	present bool   // read: the register held a value (not nil)
	value   string // read, get: the value seen
	unknown bool   // :info or never completed: accept whatever the model says
}

// state is one key's (or the register's) value.
type state struct {
	present bool
	value   string
}

// jepsenModel checks register and key-value histories one key at a time.
func jepsenModel() porcupine.Model {
	return porcupine.Model{
		Partition:         partitionByKey,
		Init:              func() any { return state{} },
		Step:              step,
		Hash:              hashState,
		DescribeOperation: describeOp,
		DescribeState:     describeState,
	}
}

func step(st, input, output any) (bool, any) {
	s, in, out := st.(state), input.(opInput), output.(opOutput)
	switch in.kind {
	case opRead:
		return out.unknown || (out.present == s.present && (!s.present || out.value == s.value)), s
	case opGet:
		return out.unknown || out.value == s.value, s
	case opWrite, opPut:
		return true, state{present: true, value: in.value}
	case opAppend:
		return true, state{present: true, value: s.value + in.value}
	case opCas:
		// A failed cas (:fail) was dropped, so a cas here either succeeded
		// (:ok) or may have (:info). An unknown one placed where it cannot
		// apply changes nothing.
		if s.present != in.expectNil && (in.expectNil || s.value == in.expect) {
			return true, state{present: true, value: in.value}
		}
		return out.unknown, s
	}
	return false, s
}

// hashState is FNV-1a; porcupine only buckets its cache by it.
func hashState(st any) uint64 {
	s := st.(state)
	h := uint64(14695981039346656037)
	if s.present {
		h = (h ^ 1) * 1099511628211
	}
	for i := 0; i < len(s.value); i++ {
		h = (h ^ uint64(s.value[i])) * 1099511628211
	}
	return h
}

func describeState(st any) string {
	s := st.(state)
	if !s.present {
		return "nil"
	}
	return s.value
}

// describeOp renders one operation, e.g. `cas(k, 1->2)` or `read() -> nil`.
func describeOp(input, output any) string {
	in, out := input.(opInput), output.(opOutput)
	var b strings.Builder
	key := ""
	if in.key != "" {
		key = strconv.Quote(in.key)
	}
	switch in.kind {
	case opRead, opGet:
		fmt.Fprintf(&b, "%s(%s)", in.kind, key)
	case opCas:
		expect := in.expect
		if in.expectNil {
			expect = "nil"
		}
		fmt.Fprintf(&b, "cas(%s%s->%s)", keyPrefix(key), expect, in.value)
	case opWrite:
		fmt.Fprintf(&b, "write(%s%s)", keyPrefix(key), in.value)
	default:
		fmt.Fprintf(&b, "%s(%s%q)", in.kind, keyPrefix(key), in.value)
	}
	switch {
	case out.unknown:
		b.WriteString(" -> ?")
	case in.kind == opRead && !out.present:
		b.WriteString(" -> nil")
	case in.kind == opRead:
		b.WriteString(" -> " + out.value)
	case in.kind == opGet:
		fmt.Fprintf(&b, " -> %q", out.value)
	}
	return b.String()
}

func keyPrefix(key string) string {
	if key == "" {
		return ""
	}
	return key + ", "
}

// partitionByKey splits a history by key, keys sorted and each key's ops in
// history order, so partition and op indices mean the same on every run.
func partitionByKey(history []porcupine.Operation) [][]porcupine.Operation {
	var keys []string
	seen := map[string]bool{}
	for _, op := range history {
		if k := op.Input.(opInput).key; !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := make([][]porcupine.Operation, len(keys))
	for _, op := range history {
		i, _ := slices.BinarySearch(keys, op.Input.(opInput).key)
		parts[i] = append(parts[i], op)
	}
	return parts
}

// explainPartition describes one key's history that has no legal order:
// the key and the operation no legal order reaches (the earliest returning
// one outside every partial linearization porcupine found), with its lines
// in the file. info comes from a verbose check of part alone.
func explainPartition(part []porcupine.Operation, info porcupine.LinearizationInfo) string {
	reached := make([]bool, len(part))
	longest := 0
	if partials := info.PartialLinearizations(); len(partials) > 0 {
		for _, l := range partials[0] {
			longest = max(longest, len(l))
			for _, id := range l {
				reached[id] = true
			}
		}
	}
	var b strings.Builder
	b.WriteString(keyName(part[0].Input.(opInput).key))
	fmt.Fprintf(&b, ": no order of its %d ops is legal (the longest legal prefix has %d)", len(part), longest)
	culprit := -1
	for id, op := range part {
		if !reached[id] && (culprit < 0 || op.Return < part[culprit].Return) {
			culprit = id
		}
	}
	if culprit >= 0 {
		op := part[culprit]
		lines := op.Metadata.(opLines)
		fmt.Fprintf(&b, "; first op no order reaches: process %d %s, line %d", op.ClientId, describeOp(op.Input, op.Output), lines.call)
		if lines.ret != 0 {
			fmt.Fprintf(&b, "-%d", lines.ret)
		}
	}
	return b.String()
}

func keyName(key string) string {
	if key == "" {
		return "the register"
	}
	return "key " + strconv.Quote(key)
}

// opLines is an operation's Metadata: the lines of its invocation and its
// completion (0 when it never completed).
type opLines struct{ call, ret int }
