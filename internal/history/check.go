package history

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/monsim/monsim/checker"
)

// Format tags of the two Jepsen forms (FormatMonsim is monsim's own).
const (
	FormatJepsenLog = "jepsen-log"
	FormatJepsenEDN = "jepsen-edn"
)

// Verdicts of Check.
const (
	VerdictLinearizable    = "linearizable"
	VerdictNotLinearizable = "not linearizable"
	VerdictUnknown         = "unknown (timeout)"
)

var (
	// ErrMalformed is what every *ParseError is.
	ErrMalformed = errors.New("malformed history")
	// ErrUnknownFormat is content that is none of the formats this
	// package reads.
	ErrUnknownFormat = errors.New("unknown history format")
)

// ParseError is malformed input, at a line of the file.
type ParseError struct {
	Line int // 1-based
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func (e *ParseError) Unwrap() error { return ErrMalformed }

func parseErrorf(line int, format string, args ...any) error {
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// History is a parsed history and what to check it with.
type History struct {
	Format string // FormatMonsim, FormatJepsenLog or FormatJepsenEDN
	// KV holds a monsim history; it is checked with
	// checker.CheckLinearizable. Nil for the Jepsen formats.
	KV []checker.KVOp
	// Ops and Model hold a Jepsen history: the operations that may have
	// happened (:fail ones dropped, :info ones returning at +infinity,
	// Metadata the lines they came from) and the register/key-value
	// model, partitioned by key. Nil for FormatMonsim.
	Ops   []porcupine.Operation
	Model porcupine.Model
}

// Result is the outcome of Check.
type Result struct {
	Verdict string // VerdictLinearizable, VerdictNotLinearizable or VerdictUnknown
	Ops     int    // operations checked (a Jepsen history's :fail ones dropped)
	Format  string // FormatMonsim, FormatJepsenLog or FormatJepsenEDN
	// Detail is one line: for VerdictNotLinearizable, the key that fails
	// and the first op no legal order reaches; for VerdictUnknown, the
	// bound that was hit; empty otherwise.
	Detail string
}

// Check parses a history and checks it. timeout bounds porcupine's search
// in wall-clock time (0: no bound); hitting it gives VerdictUnknown. For a
// Jepsen history found not linearizable, finding the key to blame takes at
// most min(timeout, 10 s) more. The error is for input that cannot be read
// (ErrMalformed, ErrUnknownFormat).
func Check(data []byte, timeout time.Duration) (Result, error) {
	h, err := Parse(data)
	if err != nil {
		return Result{}, err
	}
	return h.Check(timeout), nil
}

// Parse reads a history in any of the formats, telling them apart by
// content.
func Parse(data []byte) (*History, error) {
	lines := strings.Split(string(data), "\n")
	first := -1
	for i, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, ";") {
			first = i
			break
		}
	}
	if first < 0 {
		return nil, fmt.Errorf("%w: the file holds no history", ErrUnknownFormat)
	}
	head := strings.TrimSpace(lines[first])
	switch {
	case strings.HasPrefix(head, "{"):
		if next := strings.TrimLeft(head[1:], " \t\r"); next == "" || next[0] == '"' || next[0] == '}' {
			ops, err := Decode(data)
			if err != nil {
				return nil, err
			}
			return &History{Format: FormatMonsim, KV: ops}, nil
		}
		return parseJepsen(FormatJepsenEDN, lines, parseEDNLine)
	case bytes.Contains(data, []byte("jepsen.util")):
		return parseJepsen(FormatJepsenLog, lines, parseLogLine)
	}
	return nil, fmt.Errorf("%w: line %d begins %q; want a monsim JSON history, a Jepsen log (jepsen.util lines) or Jepsen EDN maps",
		ErrUnknownFormat, first+1, excerpt(head))
}

func parseJepsen(format string, lines []string, parse func(int, string) (rawOp, bool, error)) (*History, error) {
	b := newBuilder()
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, ";") {
			continue
		}
		op, skip, err := parse(i+1, l)
		if err != nil {
			return nil, err
		}
		if skip {
			continue
		}
		if err := b.add(op); err != nil {
			return nil, err
		}
	}
	return &History{Format: format, Ops: b.finish(), Model: jepsenModel()}, nil
}

// Check checks the history; see the package-level Check.
func (h *History) Check(timeout time.Duration) Result {
	if h.Format == FormatMonsim {
		res := checker.CheckLinearizable(h.KV, timeout)
		r := Result{Format: h.Format, Ops: len(h.KV)}
		switch res.Verdict {
		case checker.VerdictOK:
			r.Verdict = VerdictLinearizable
		case checker.VerdictIllegal:
			r.Verdict, r.Detail = VerdictNotLinearizable, res.Violation.Reason
		default:
			r.Verdict, r.Detail = VerdictUnknown, res.Note
		}
		return r
	}
	r := Result{Format: h.Format, Ops: len(h.Ops)}
	parts := partitionByKey(h.Ops)
	switch verdict := porcupine.CheckOperationsTimeout(h.Model, h.Ops, timeout); verdict {
	case porcupine.Ok:
		r.Verdict = VerdictLinearizable
	case porcupine.Illegal:
		r.Verdict, r.Detail = VerdictNotLinearizable, explainIllegal(h.Model, parts, budget(timeout))
	default:
		r.Verdict = VerdictUnknown
		r.Detail = fmt.Sprintf("porcupine found no verdict within %s for %d ops on %d key(s)", timeout, len(h.Ops), len(parts))
	}
	return r
}

// explainBudget bounds the search for which key fails, after the verdict.
const explainBudget = 10 * time.Second

func budget(timeout time.Duration) time.Duration {
	if timeout > 0 {
		return min(timeout, explainBudget)
	}
	return explainBudget
}

// explainIllegal pins a failure to one key. The verdict came from a check
// that stops at the first key it proves illegal, whichever that was; this
// checks every key alone, in parallel, within limit, and describes the
// first key in sorted order proved illegal, so the detail does not depend
// on which search finished first (unless a key's proof takes about limit).
func explainIllegal(model porcupine.Model, parts [][]porcupine.Operation, limit time.Duration) string {
	model.Partition = nil
	type outcome struct {
		verdict porcupine.CheckResult
		info    porcupine.LinearizationInfo
	}
	outs := make([]outcome, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() {
			verdict, info := porcupine.CheckOperationsVerbose(model, part, limit)
			outs[i] = outcome{verdict, info}
		})
	}
	wg.Wait()
	for i, out := range outs {
		if out.verdict == porcupine.Illegal {
			return explainPartition(parts[i], out.info)
		}
	}
	return fmt.Sprintf("no single key was proved illegal within %s", limit)
}

// excerpt shortens s for an error message.
func excerpt(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
