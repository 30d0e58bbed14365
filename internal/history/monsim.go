package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/node"
)

// FormatMonsim is the format tag of monsim's own JSON history.
const FormatMonsim = "monsim-history/1"

// jsonOp is one checker.KVOp as a JSON object, fields in this order.
type jsonOp struct {
	Client  int    `json:"client"`
	Kind    string `json:"kind"`
	Key     string `json:"key"`
	Value   string `json:"value"`
	Expect  string `json:"expect"`
	Status  string `json:"status"`
	Found   bool   `json:"found"`
	Out     string `json:"out"`
	Unknown bool   `json:"unknown"`
	Call    int64  `json:"call"`
	Return  int64  `json:"return"`
}

var kinds = []node.OpKind{node.OpGet, node.OpPut, node.OpCas, node.OpDelete, node.OpDeletePrefix}

// statuses are the Status values a history may hold; 0 ("") is allowed
// only where the status is ignored (an op with an unknown outcome).
var statuses = []node.Status{0, node.StatusOK, node.StatusMismatch, node.StatusRetry}

func statusName(s node.Status) string {
	if s == 0 {
		return ""
	}
	return s.String()
}

// Encode writes ops as a monsim JSON history, one op per line, so that a
// problem Decode finds names the op's line. It refuses an op Decode would
// refuse, so Decode(Encode(ops)) gives ops back.
func Encode(w io.Writer, ops []checker.KVOp) error {
	for i := range ops {
		if err := validateKVOp(&ops[i]); err != nil {
			return fmt.Errorf("history: op #%d: %w", i, err)
		}
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\"format\":%q,\"ops\":[\n", FormatMonsim)
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	for i := range ops {
		op := &ops[i]
		line.Reset()
		if err := enc.Encode(jsonOp{
			Client: op.Client, Kind: op.Kind.String(), Key: op.Key, Value: op.Value, Expect: op.Expect,
			Status: statusName(op.Status), Found: op.Found, Out: op.Out, Unknown: op.Unknown,
			Call: op.Call, Return: op.Return,
		}); err != nil {
			return fmt.Errorf("history: op #%d: %w", i, err)
		}
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.Write(bytes.TrimSuffix(line.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// Decode reads a monsim JSON history. It is strict: unknown fields, an
// unknown kind or status, a return before its call, or a status that is no
// final outcome are refused with the line of the op (a *ParseError).
func Decode(data []byte) ([]checker.KVOp, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	at := func() int { return lineAt(data, dec.InputOffset()) }
	fail := func(line int, format string, args ...any) error {
		return parseErrorf(line, format, args...)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fail(at(), "want a JSON object {\"format\":%q,\"ops\":[...]}", FormatMonsim)
	}
	var format string
	var ops []checker.KVOp
	sawOps := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(at(), "%v", err)
		}
		switch tok {
		case "format":
			if err := dec.Decode(&format); err != nil {
				return nil, fail(at(), "format: %v", err)
			}
			if format != FormatMonsim {
				return nil, fail(at(), "format %q, this build reads %q", format, FormatMonsim)
			}
		case "ops":
			sawOps = true
			if ops, err = decodeOps(dec, data); err != nil {
				return nil, err
			}
		default:
			return nil, fail(at(), "unknown field %v", tok)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fail(at(), "%v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail(at(), "trailing data after the history")
	}
	switch {
	case format == "":
		return nil, fail(1, "no \"format\" field")
	case !sawOps:
		return nil, fail(1, "no \"ops\" field")
	}
	return ops, nil
}

func decodeOps(dec *json.Decoder, data []byte) ([]checker.KVOp, error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, parseErrorf(lineAt(data, dec.InputOffset()), "ops: want an array")
	}
	ops := []checker.KVOp{}
	for i := 0; dec.More(); i++ {
		line := lineAt(data, nextValue(data, dec.InputOffset()))
		var j jsonOp
		if err := dec.Decode(&j); err != nil {
			return nil, parseErrorf(line, "op #%d: %v", i, err)
		}
		op, err := fromJSON(j)
		if err != nil {
			return nil, parseErrorf(line, "op #%d: %v", i, err)
		}
		ops = append(ops, op)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, parseErrorf(lineAt(data, dec.InputOffset()), "ops: %v", err)
	}
	return ops, nil
}

func fromJSON(j jsonOp) (checker.KVOp, error) {
	op := checker.KVOp{
		Client: j.Client, Key: j.Key, Value: j.Value, Expect: j.Expect,
		Found: j.Found, Out: j.Out, Unknown: j.Unknown, Call: j.Call, Return: j.Return,
	}
	for _, k := range kinds {
		if k.String() == j.Kind {
			op.Kind = k
		}
	}
	if op.Kind == 0 {
		return op, fmt.Errorf("kind %q: want get, put, cas, delete or delete-prefix", j.Kind)
	}
	known := false
	for _, s := range statuses {
		if statusName(s) == j.Status {
			op.Status, known = s, true
		}
	}
	if !known {
		return op, fmt.Errorf("status %q: want ok, mismatch or retry", j.Status)
	}
	return op, validateKVOp(&op)
}

// validateKVOp is what makes an op checkable (checker's rules) and
// representable in a monsim history, so that it survives a round trip:
// the config-key service's op, a status of its own, valid UTF-8.
func validateKVOp(op *checker.KVOp) error {
	if op.Family != checker.FamilyConfigKeys {
		return fmt.Errorf("a Jepsen op (family %d) has no place in a monsim history", op.Family)
	}
	if op.Status > node.StatusRetry {
		return fmt.Errorf("unknown status %s", op.Status)
	}
	if op.Prefix != "" {
		return errors.New("a delete-prefix is recorded once, by its prefix, not per key")
	}
	if err := op.Validate(); err != nil {
		return err
	}
	for _, s := range []string{op.Key, op.Value, op.Expect, op.Out} {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%q is not valid UTF-8", s)
		}
	}
	return nil
}

// nextValue skips the separators json.Decoder leaves before the next value.
func nextValue(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}
