package checker

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/monsim/monsim/node"
)

// Linearizability proves that the clients' operations could have taken
// effect one at a time, each at some instant between its call and its
// return, in an order a single key-value map explains: a get sees the
// latest put, a cas succeeds exactly when the key holds the expected value,
// a delete removes. The history is split by key (keys sorted, so the split
// is the same on every run) and porcupine checks each key on its own, which
// is sound because operations on different keys never constrain each other.
//
// The one model serves every history monsim checks: the simulation's
// config-key service, and the Jepsen histories `simrun check` reads
// (internal/history decodes them into KVOps). Where Jepsen's stores mean
// something else, the op says so as data (its Family, Append and
// ExpectAbsent), so there is one model and one partitioning to trust.
//
// A write whose client never learned the outcome returns at +infinity: it
// may have taken effect at any instant after its call, or never, and
// whatever the model says of it is accepted.
//
// A delete-prefix spans keys: it is checked as a delete, at the same call
// and return, of every key of the history that starts with its prefix. That
// is what per-key checking can see of it (sound: a linearizable history
// stays so key by key); it does not prove the keys vanished at one instant.
//
// It does not prove anything about reads that timed out (the harness drops
// them), about the atomicity of a delete-prefix across its keys, or about
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

// KVOp is one client operation on a key, with its outcome.
type KVOp struct {
	Client int // the client; zero-based numbers give the neatest visualization
	Kind   node.OpKind
	Key    string // a delete-prefix: the prefix (once expanded, one key it removes)
	Value  string // put/cas: the new value; an append: what it appends
	Expect string // cas: the value the key must hold (cas on an absent key never matches)

	Status  node.Status // StatusOK, or StatusMismatch for a cas; ignored when Unknown
	Found   bool        // get: the key existed (FamilyJepsenKV: ignored, see there)
	Out     string      // get: the value read
	Unknown bool        // the client never learned the outcome; returns at +infinity
	Call    int64       // simulated ns (Jepsen families: the line of the invocation)
	Return  int64       // simulated ns (Jepsen: the line of the completion); ignored when Unknown

	// Prefix is set on the per-key deletes a delete-prefix is checked as
	// (SplitByKey): the prefix, with Key one key of the history it removes.
	Prefix string

	// Only Jepsen histories set these; the zero values are the config-key
	// service's semantics.
	Family       Family
	Append       bool // FamilyJepsenKV put: appends Value to the key's value (Jepsen's :append)
	ExpectAbsent bool // FamilyJepsenRegister cas: matches only an empty register (cas [nil v]); Expect is ignored
}

// Family is the store a history was recorded against: it decides what an
// absent key reads as and in whose words an explanation names the op.
type Family uint8

const (
	// FamilyConfigKeys is the monitors' config-key service: get, put, cas
	// and delete; a get tells an absent key from an empty value.
	FamilyConfigKeys Family = iota
	// FamilyJepsenRegister is Jepsen's register ops: read (a get, which
	// reads an empty register as nil), write (a put) and cas. Values are
	// EDN text. Explanations say process, read/write and the file's lines.
	FamilyJepsenRegister
	// FamilyJepsenKV is Jepsen's key-value ops, as in porcupine's kv test
	// data: get, put and append. The store reads an absent key as "", so
	// a get's Found means nothing and "" is what an absent key holds.
	FamilyJepsenKV
)

// LinResult is the outcome of CheckLinearizable, with what
// porcupine.Visualize needs to draw it.
type LinResult struct {
	Verdict   Verdict    // VerdictOK, VerdictIllegal or VerdictUnknown
	Violation *Violation // set when Verdict is VerdictIllegal
	Note      string     // why the verdict is VerdictUnknown
	Info      porcupine.LinearizationInfo
	Model     porcupine.Model
	Ops       []porcupine.Operation // Input is the *KVOp (a copy of the caller's); Output is unused
}

// CheckLinearizable checks a history of client operations and explains a
// violation: the first failing key in sorted order, the first op no legal
// order reaches, and the other failing keys. timeout bounds porcupine's
// search in wall-clock time (0: no bound); hitting it gives VerdictUnknown.
// Malformed operations also give VerdictUnknown, with a Note naming the
// first one.
func CheckLinearizable(ops []KVOp, timeout time.Duration) LinResult {
	res := LinResult{Model: kvModel()}
	if res.Ops, res.Note = operations(ops); res.Note != "" {
		res.Verdict = VerdictUnknown
		return res
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
		res.Verdict, res.Note = VerdictUnknown, noVerdict(timeout, res.Ops)
	}
	return res
}

// LinVerdict decides what CheckLinearizable would, without explaining it:
// porcupine stops at the first key it proves illegal instead of searching
// every key to the end, so a history with one bad key and some hard ones is
// decided quickly. The string says why the verdict is VerdictUnknown.
func LinVerdict(ops []KVOp, timeout time.Duration) (Verdict, string) {
	pops, note := operations(ops)
	if note != "" {
		return VerdictUnknown, note
	}
	switch porcupine.CheckOperationsTimeout(kvModel(), pops, timeout) {
	case porcupine.Ok:
		return VerdictOK, ""
	case porcupine.Illegal:
		return VerdictIllegal, ""
	}
	return VerdictUnknown, noVerdict(timeout, pops)
}

// SplitByKey is the partitioning the model checks by: one slice per key,
// keys sorted, each key's ops in history order. A key's ops checked alone
// get the verdict their key gets within the whole history.
func SplitByKey(ops []KVOp) [][]KVOp {
	return partitionByKey(expandPrefixDeletes(ops), func(op KVOp) string { return op.Key })
}

// expandPrefixDeletes replaces each delete-prefix by a delete of every key
// of the history that starts with its prefix, in key order, each with the
// op's call, return and outcome. A history without one is returned as is.
func expandPrefixDeletes(ops []KVOp) []KVOp {
	if !slices.ContainsFunc(ops, func(op KVOp) bool { return op.Kind == node.OpDeletePrefix }) {
		return ops
	}
	var keys []string
	for _, op := range ops {
		if op.Kind != node.OpDeletePrefix {
			keys = append(keys, op.Key)
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	out := make([]KVOp, 0, len(ops))
	for _, op := range ops {
		if op.Kind != node.OpDeletePrefix || op.Prefix != "" {
			out = append(out, op)
			continue
		}
		for _, k := range keys {
			if strings.HasPrefix(k, op.Key) {
				e := op
				e.Key, e.Prefix = k, op.Key
				out = append(out, e)
			}
		}
	}
	return out
}

// Validate says why op cannot be checked, or nil: an unknown kind or
// family, a Jepsen field on an op of another kind, or, for an op whose
// outcome is known, a return before its call or a status that is no final
// outcome.
func (op *KVOp) Validate() error {
	switch {
	case op.Kind < node.OpGet || op.Kind > node.OpDeletePrefix:
		return fmt.Errorf("unknown kind %s", op.Kind)
	case op.Kind == node.OpDeletePrefix && op.Family != FamilyConfigKeys:
		return errors.New("only the config keys have a delete-prefix")
	case op.Family > FamilyJepsenKV:
		return fmt.Errorf("unknown family %d", op.Family)
	case op.Append && (op.Family != FamilyJepsenKV || op.Kind != node.OpPut):
		return errors.New("only a Jepsen key-value put appends")
	case op.ExpectAbsent && (op.Family != FamilyJepsenRegister || op.Kind != node.OpCas):
		return errors.New("only a Jepsen register cas expects an empty register")
	case op.Unknown:
		return nil
	case op.Return < op.Call:
		return fmt.Errorf("returns at %d, before its call at %d", op.Return, op.Call)
	case op.Status == node.StatusOK, op.Kind == node.OpCas && op.Status == node.StatusMismatch:
		return nil
	}
	status := op.Status.String()
	if op.Status == 0 {
		status = ""
	}
	return fmt.Errorf("%s with status %q is no final outcome (set unknown if the client never learned it)", op.Kind, status)
}

func noVerdict(timeout time.Duration, ops []porcupine.Operation) string {
	return fmt.Sprintf("porcupine found no verdict within %s for %d ops on %d key(s)",
		timeout, len(ops), len(partitionByKey(ops, opKey)))
}
