package checker

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/monsim/monsim/node"
)

// Linearizability proves that the clients' operations on the config-key
// service could have taken effect one at a time, each at some instant
// between its call and its return, in an order a single key-value map
// explains: a get sees the latest put, a cas succeeds exactly when the key
// holds the expected value, a delete removes. The history is split by key
// (keys sorted, so the split is the same on every run) and porcupine checks
// each key on its own, which is sound because operations on different keys
// never constrain each other.
//
// A write whose client never learned the outcome returns at +infinity: it
// may have taken effect at any instant after its call, or never, and
// whatever the model says of it is accepted.
//
// It does not prove anything about reads that timed out (the harness drops
// them), about operations spanning several keys (there are none), or about
// durability beyond the run's own history. Porcupine searches on the wall
// clock and in its own goroutines; its ok/illegal verdict is deterministic,
// but a search that hits its time limit yields "unknown", never "ok".

// Verdict is what CheckLinearizable decided.
type Verdict string

// Verdicts of CheckLinearizable.
const (
	VerdictOK      Verdict = "ok"
	VerdictIllegal Verdict = "illegal"
	VerdictUnknown Verdict = "unknown"
)

// KVOp is one client operation on the config-key service, with its outcome.
type KVOp struct {
	Client int // the client; zero-based numbers give the neatest visualization
	Kind   node.OpKind
	Key    string
	Value  string // put/cas: the new value
	Expect string // cas: the value the key must hold (cas on an absent key never matches)

	Status  node.Status // StatusOK, or StatusMismatch for a cas; ignored when Unknown
	Found   bool        // get: the key existed
	Out     string      // get: the value read
	Unknown bool        // the client never learned the outcome; returns at +infinity
	Call    int64       // simulated ns
	Return  int64       // simulated ns; ignored when Unknown
}

// LinResult is the outcome of CheckLinearizable, with what
// porcupine.Visualize needs to draw it.
type LinResult struct {
	Verdict   Verdict    // VerdictOK, VerdictIllegal or VerdictUnknown
	Violation *Violation // set when Verdict is VerdictIllegal
	Note      string     // why the verdict is VerdictUnknown
	Info      porcupine.LinearizationInfo
	Model     porcupine.Model
	Ops       []porcupine.Operation
}

// kvInput and kvOutput are the porcupine operation's input and output.
type kvInput struct {
	kind   node.OpKind
	key    string
	value  string
	expect string
}

type kvOutput struct {
	status  node.Status
	found   bool
	out     string
	unknown bool // accept whatever the model says: the client never saw it
}

// kvState is one key's value in the model.
type kvState struct {
	present bool
	value   string
}

// KVModel is the per-key sequential specification of the config-key
// service.
func KVModel() porcupine.Model {
	return porcupine.Model{
		Partition:         partitionByKey,
		Init:              func() any { return kvState{} },
		Step:              stepKV,
		Hash:              hashKV,
		DescribeOperation: DescribeOp,
		DescribeState:     describeKV,
	}
}

func stepKV(state, input, output any) (bool, any) {
	s, in, out := state.(kvState), input.(kvInput), output.(kvOutput)
	switch in.kind {
	case node.OpGet:
		return out.unknown || (out.found == s.present && (!out.found || out.out == s.value)), s
	case node.OpPut:
		return out.unknown || out.status == node.StatusOK, kvState{present: true, value: in.value}
	case node.OpDelete:
		return out.unknown || out.status == node.StatusOK, kvState{}
	case node.OpCas:
		if s.present && s.value == in.expect {
			return out.unknown || out.status == node.StatusOK, kvState{present: true, value: in.value}
		}
		return out.unknown || out.status == node.StatusMismatch, s
	}
	return false, s
}

// hashKV is FNV-1a over the state; porcupine only buckets its cache by it.
func hashKV(state any) uint64 {
	s := state.(kvState)
	h := uint64(14695981039346656037)
	if s.present {
		h = (h ^ 1) * 1099511628211
	}
	for i := 0; i < len(s.value); i++ {
		h = (h ^ uint64(s.value[i])) * 1099511628211
	}
	return h
}

func describeKV(state any) string {
	s := state.(kvState)
	if !s.present {
		return "absent"
	}
	return strconv.Quote(s.value)
}

// DescribeOp renders one operation for porcupine's visualization (it is
// the model's DescribeOperation), e.g. `cas("k", "a"->"b") -> mismatch`.
func DescribeOp(input, output any) string {
	in, out := input.(kvInput), output.(kvOutput)
	var b strings.Builder
	switch in.kind {
	case node.OpGet:
		fmt.Fprintf(&b, "get(%q)", in.key)
	case node.OpPut:
		fmt.Fprintf(&b, "put(%q, %q)", in.key, in.value)
	case node.OpDelete:
		fmt.Fprintf(&b, "delete(%q)", in.key)
	case node.OpCas:
		fmt.Fprintf(&b, "cas(%q, %q->%q)", in.key, in.expect, in.value)
	default:
		fmt.Fprintf(&b, "%s(%q)", in.kind, in.key)
	}
	switch {
	case out.unknown:
		b.WriteString(" -> ?")
	case in.kind == node.OpGet && !out.found:
		b.WriteString(" -> absent")
	case in.kind == node.OpGet:
		fmt.Fprintf(&b, " -> %q", out.out)
	default:
		fmt.Fprintf(&b, " -> %s", out.status)
	}
	return b.String()
}

// partitionByKey splits a history by key, keys in sorted order and each
// key's operations in history order, so partition i and operation id j
// within it mean the same on every run.
func partitionByKey(history []porcupine.Operation) [][]porcupine.Operation {
	index := map[string]int{}
	var keys []string
	for _, op := range history {
		k := op.Input.(kvInput).key
		if _, ok := index[k]; !ok {
			index[k] = 0
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for i, k := range keys {
		index[k] = i
	}
	parts := make([][]porcupine.Operation, len(keys))
	for _, op := range history {
		i := index[op.Input.(kvInput).key]
		parts[i] = append(parts[i], op)
	}
	return parts
}

// CheckLinearizable checks a history of client operations. timeout bounds
// porcupine's search in wall-clock time (0: no bound); hitting it gives
// VerdictUnknown. Malformed operations also give VerdictUnknown, with a
// Note naming the first one.
func CheckLinearizable(ops []KVOp, timeout time.Duration) LinResult {
	res := LinResult{Model: KVModel()}
	res.Ops = make([]porcupine.Operation, 0, len(ops))
	for i := range ops {
		op := &ops[i]
		if err := validateOp(op); err != "" {
			res.Verdict = VerdictUnknown
			res.Note = fmt.Sprintf("op #%d (client %d %s %q) cannot be checked: %s", i, op.Client, op.Kind, op.Key, err)
			return res
		}
		ret := op.Return
		if op.Unknown {
			ret = math.MaxInt64
		}
		res.Ops = append(res.Ops, porcupine.Operation{
			ClientId: op.Client,
			Input:    kvInput{kind: op.Kind, key: op.Key, value: op.Value, expect: op.Expect},
			Call:     op.Call,
			Output:   kvOutput{status: op.Status, found: op.Found, out: op.Out, unknown: op.Unknown},
			Return:   ret,
		})
	}
	verdict, info := porcupine.CheckOperationsVerbose(res.Model, res.Ops, timeout)
	res.Info = info
	switch verdict {
	case porcupine.Ok:
		res.Verdict = VerdictOK
	case porcupine.Illegal:
		res.Verdict = VerdictIllegal
		res.Violation = explainIllegal(res.Ops, info)
	default:
		res.Verdict = VerdictUnknown
		res.Note = fmt.Sprintf("porcupine found no verdict within %s for %d ops", timeout, len(ops))
	}
	return res
}

func validateOp(op *KVOp) string {
	if op.Kind < node.OpGet || op.Kind > node.OpDelete {
		return "unknown kind"
	}
	if op.Unknown {
		return ""
	}
	if op.Return < op.Call {
		return fmt.Sprintf("returns at %d before its call at %d", op.Return, op.Call)
	}
	switch {
	case op.Kind == node.OpCas && (op.Status == node.StatusOK || op.Status == node.StatusMismatch):
	case op.Kind != node.OpCas && op.Status == node.StatusOK:
	default:
		return "status " + op.Status.String() + " is no final outcome"
	}
	return ""
}

// explainIllegal names the keys whose histories have no linearization and,
// for the first, the operation no legal order reaches: the earliest
// returning one outside every partial linearization porcupine found.
func explainIllegal(ops []porcupine.Operation, info porcupine.LinearizationInfo) *Violation {
	parts := partitionByKey(ops)
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
	key := part[0].Input.(kvInput).key
	var b strings.Builder
	fmt.Fprintf(&b, "key %q: no order of its %d ops is legal (the longest legal prefix has %d)", key, len(part), longest)
	if culprit >= 0 {
		op := part[culprit]
		v.At = op.Return
		if v.At == math.MaxInt64 {
			v.At = op.Call
		}
		fmt.Fprintf(&b, "; first op no order reaches: client %d %s called at %s, returned %s",
			op.ClientId, DescribeOp(op.Input, op.Output), formatTime(op.Call), formatReturn(op.Return))
	}
	if len(failed) > 1 {
		fmt.Fprintf(&b, "; %d more keys fail:", len(failed)-1)
		for i, q := range failed[1:] {
			if i == 5 {
				b.WriteString(" ...")
				break
			}
			fmt.Fprintf(&b, " %q", parts[q][0].Input.(kvInput).key)
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

func formatReturn(t int64) string {
	if t == math.MaxInt64 {
		return "never"
	}
	return formatTime(t)
}
