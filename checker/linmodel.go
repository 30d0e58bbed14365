package checker

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/anishathalye/porcupine"

	"github.com/monsim/monsim/node"
)

// The one per-key model: every history, whatever its Family, is checked by
// kvModel, split by partitionByKey.

// kvState is one key's value in the model. An absent key's value is "",
// which is what Jepsen's key-value store reads and appends to.
type kvState struct {
	present bool
	value   string
}

// kvModel is the per-key sequential specification. Its operations' Input
// is the *KVOp, call and outcome together, so the model reads the op's own
// fields and nothing is copied per step; Output is unused.
func kvModel() porcupine.Model {
	return porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			return partitionByKey(history, opKey)
		},
		Init:              func() any { return kvState{} },
		Step:              stepKV,
		Hash:              hashKV,
		DescribeOperation: func(input, _ any) string { return describeOp(input.(*KVOp)) },
		DescribeState:     describeKV,
	}
}

func stepKV(state, input, _ any) (bool, any) {
	s, op := state.(kvState), input.(*KVOp)
	switch op.Kind {
	case node.OpGet:
		return op.Unknown || canRead(s, op), s
	case node.OpPut:
		next := kvState{present: true, value: op.Value}
		if op.Append {
			next.value = s.value + op.Value
		}
		return op.Unknown || op.Status == node.StatusOK, next
	case node.OpDelete, node.OpDeletePrefix: // a delete-prefix, expanded: one of its keys
		return op.Unknown || op.Status == node.StatusOK, kvState{}
	case node.OpCas:
		if casMatches(s, op) {
			return op.Unknown || op.Status == node.StatusOK, kvState{present: true, value: op.Value}
		}
		return op.Unknown || op.Status == node.StatusMismatch, s
	}
	return false, s
}

// canRead says whether a get in state s could have read what op did.
func canRead(s kvState, op *KVOp) bool {
	if op.Family == FamilyJepsenKV { // absent reads as "", which s.value is
		return op.Out == s.value
	}
	return op.Found == s.present && (!op.Found || op.Out == s.value)
}

func casMatches(s kvState, op *KVOp) bool {
	if op.ExpectAbsent {
		return !s.present
	}
	return s.present && s.value == op.Expect
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

// partitionByKey splits a history by key, keys in sorted order and each
// key's operations in history order, so partition i and operation id j
// within it mean the same on every run. It serves both the model (on
// porcupine's operations) and SplitByKey (on KVOps).
func partitionByKey[T any](history []T, key func(T) string) [][]T {
	index := map[string]int{}
	var keys []string
	for _, op := range history {
		k := key(op)
		if _, seen := index[k]; !seen {
			index[k] = 0
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for i, k := range keys {
		index[k] = i
	}
	parts := make([][]T, len(keys))
	for _, op := range history {
		i := index[key(op)]
		parts[i] = append(parts[i], op)
	}
	return parts
}

func opKey(op porcupine.Operation) string { return op.Input.(*KVOp).Key }

// operations turns ops into porcupine's, each Input pointing into a copy of
// ops so that the caller may reuse its slice, with every delete-prefix
// expanded into its keys' deletes; an op whose outcome is unknown returns
// at +infinity. The string names the first op that cannot
// be checked.
func operations(ops []KVOp) ([]porcupine.Operation, string) {
	for i := range ops {
		if err := ops[i].Validate(); err != nil {
			op := &ops[i]
			return nil, fmt.Sprintf("op #%d (client %d %s %q) cannot be checked: %v", i, op.Client, op.Kind, op.Key, err)
		}
	}
	kept := slices.Clone(expandPrefixDeletes(ops))
	out := make([]porcupine.Operation, len(kept))
	for i := range kept {
		op := &kept[i]
		ret := op.Return
		if op.Unknown {
			ret = math.MaxInt64
		}
		out[i] = porcupine.Operation{ClientId: op.Client, Input: op, Call: op.Call, Return: ret}
	}
	return out, ""
}
