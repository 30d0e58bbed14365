package checker

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/monsim/monsim/node"
)

// explainIllegal names the keys whose histories have no linearization and,
// for the first, the operation no legal order reaches: the earliest
// returning one outside every partial linearization porcupine found.
func explainIllegal(ops []porcupine.Operation, info porcupine.LinearizationInfo) *Violation {
	parts := partitionByKey(ops, opKey)
	partials := info.PartialLinearizations()
	var failed []int
	for p, part := range parts {
		longest := 0
		if p < len(partials) {
			for _, l := range partials[p] {
				longest = max(longest, len(l))
			}
		}
		if longest < len(part) {
			failed = append(failed, p)
		}
	}
	v := &Violation{Checker: NameLinearizability, Node: -1}
	if len(failed) == 0 {
		v.Reason = fmt.Sprintf("porcupine found the %d ops not linearizable, but no single key failed", len(ops))
		return v
	}
	p := failed[0]
	part := parts[p]
	reached := make([]bool, len(part))
	longest := 0
	for _, l := range partials[p] {
		longest = max(longest, len(l))
		for _, id := range l {
			reached[id] = true
		}
	}
	culprit := earliestReturn(part, reached)
	if culprit < 0 {
		// Every op is in some legal prefix, just not all in one: blame the
		// first op the (first, in a fixed order) longest prefix leaves out.
		best := slices.MaxFunc(partials[p], func(a, b []int) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return slices.Compare(b, a)
		})
		clear(reached)
		for _, id := range best {
			reached[id] = true
		}
		culprit = earliestReturn(part, reached)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: no order of its %d ops is legal (the longest legal prefix has %d)", keyName(part[0].Input.(*KVOp)), len(part), longest)
	if culprit >= 0 {
		op := part[culprit].Input.(*KVOp)
		v.At = op.Return
		if op.Unknown {
			v.At = op.Call
		}
		b.WriteString("; first op no order reaches: " + describeWhoWhen(op))
	}
	if len(failed) > 1 {
		fmt.Fprintf(&b, "; %d more keys fail:", len(failed)-1)
		for i, q := range failed[1:] {
			if i == 5 {
				b.WriteString(" ...")
				break
			}
			fmt.Fprintf(&b, " %q", opKey(parts[q][0]))
		}
	}
	v.Reason = b.String()
	return v
}

// earliestReturn is the op outside skip that returns first, or -1.
func earliestReturn(part []porcupine.Operation, skip []bool) int {
	culprit := -1
	for id, op := range part {
		if !skip[id] && (culprit < 0 || op.Return < part[culprit].Return) {
			culprit = id
		}
	}
	return culprit
}

// keyName names a key as its history does: Jepsen's register histories
// have no keys, so the key "" is the register.
func keyName(op *KVOp) string {
	if op.Family != FamilyConfigKeys && op.Key == "" {
		return "the register"
	}
	return "key " + strconv.Quote(op.Key)
}

// describeWhoWhen names an op with who issued it and when, in its
// history's words: a client and simulated time, or a Jepsen process and the
// lines of the file (the only clock a Jepsen log has).
func describeWhoWhen(op *KVOp) string {
	if op.Family == FamilyConfigKeys {
		ret := "never"
		if !op.Unknown {
			ret = formatTime(op.Return)
		}
		return fmt.Sprintf("client %d %s called at %s, returned %s", op.Client, describeOp(op), formatTime(op.Call), ret)
	}
	s := fmt.Sprintf("process %d %s, line %d", op.Client, describeOp(op), op.Call)
	if !op.Unknown {
		s += fmt.Sprintf("-%d", op.Return)
	}
	return s
}

// describeOp renders an op for an explanation and for porcupine's
// visualization (it is the model's DescribeOperation), in its history's
// words: `cas("k", "a"->"b") -> mismatch` for the config keys, `read() -> 1`
// or `append("k", "x")` for Jepsen's.
func describeOp(op *KVOp) string {
	if op.Family != FamilyConfigKeys {
		return describeJepsenOp(op)
	}
	var b strings.Builder
	switch op.Kind {
	case node.OpGet:
		fmt.Fprintf(&b, "get(%q)", op.Key)
	case node.OpPut:
		fmt.Fprintf(&b, "put(%q, %q)", op.Key, op.Value)
	case node.OpDelete:
		fmt.Fprintf(&b, "delete(%q)", op.Key)
	case node.OpDeletePrefix:
		if op.Prefix != "" {
			fmt.Fprintf(&b, "delete-prefix(%q) of %q", op.Prefix, op.Key)
		} else {
			fmt.Fprintf(&b, "delete-prefix(%q)", op.Key)
		}
	case node.OpCas:
		fmt.Fprintf(&b, "cas(%q, %q->%q)", op.Key, op.Expect, op.Value)
	}
	switch {
	case op.Unknown:
		b.WriteString(" -> ?")
	case op.Kind == node.OpGet && !op.Found:
		b.WriteString(" -> absent")
	case op.Kind == node.OpGet:
		fmt.Fprintf(&b, " -> %q", op.Out)
	default:
		fmt.Fprintf(&b, " -> %s", op.Status)
	}
	return b.String()
}

// describeJepsenOp renders a Jepsen op with Jepsen's names. Register values
// are EDN text and print as they are ("x" keeps its quotes, nil is the
// empty register); key-value values are strings and print quoted. Writes
// show no outcome: Jepsen keeps only those that succeeded or may have.
func describeJepsenOp(op *KVOp) string {
	register := op.Family == FamilyJepsenRegister
	key := ""
	if op.Key != "" {
		key = strconv.Quote(op.Key)
	}
	var b strings.Builder
	switch {
	case op.Kind == node.OpGet && register:
		fmt.Fprintf(&b, "read(%s)", key)
	case op.Kind == node.OpGet:
		fmt.Fprintf(&b, "get(%s)", key)
	case op.Kind == node.OpCas:
		expect := op.Expect
		if op.ExpectAbsent {
			expect = "nil"
		}
		fmt.Fprintf(&b, "cas(%s%s->%s)", withComma(key), expect, op.Value)
	case register:
		fmt.Fprintf(&b, "write(%s%s)", withComma(key), op.Value)
	case op.Append:
		fmt.Fprintf(&b, "append(%s%q)", withComma(key), op.Value)
	default:
		fmt.Fprintf(&b, "put(%s%q)", withComma(key), op.Value)
	}
	switch {
	case op.Unknown:
		b.WriteString(" -> ?")
	case op.Kind == node.OpGet && register && !op.Found:
		b.WriteString(" -> nil")
	case op.Kind == node.OpGet && register:
		b.WriteString(" -> " + op.Out)
	case op.Kind == node.OpGet:
		fmt.Fprintf(&b, " -> %q", op.Out)
	}
	return b.String()
}

// withComma is a key as a first argument: nothing for Jepsen's one register.
func withComma(key string) string {
	if key == "" {
		return ""
	}
	return key + ", "
}
