package history

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

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

// History is a parsed history: its operations in checker's one op type.
type History struct {
	Format string // FormatMonsim, FormatJepsenLog or FormatJepsenEDN
	// Ops are the operations that may have happened: a Jepsen history's
	// :fail ones dropped, its :info ones with unknown outcomes, its lines
	// as the times.
	Ops []checker.KVOp
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
// history found not linearizable, finding the key to blame takes at most
// min(timeout, 10 s) more. The error is for input that cannot be read
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
			return &History{Format: FormatMonsim, Ops: ops}, nil
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
	return &History{Format: format, Ops: b.finish()}, nil
}

// Check checks the history; see the package-level Check.
func (h *History) Check(timeout time.Duration) Result {
	r := Result{Format: h.Format, Ops: len(h.Ops)}
	verdict, note := checker.LinVerdict(h.Ops, timeout)
	switch verdict {
	case checker.VerdictOK:
		r.Verdict = VerdictLinearizable
	case checker.VerdictIllegal:
		r.Verdict, r.Detail = VerdictNotLinearizable, explainIllegal(h.Ops, budget(timeout))
	default:
		r.Verdict, r.Detail = VerdictUnknown, note
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
// checks every key alone, in parallel, within limit, and explains the
// first key in sorted order proved illegal, so the detail does not depend
// on which search finished first (unless a key's proof takes about limit).
// The parallel search is why it lives here and not in checker, which runs
// in the simulated world and may start no goroutines of its own.
func explainIllegal(ops []checker.KVOp, limit time.Duration) string {
	keys := checker.SplitByKey(ops)
	results := make([]checker.LinResult, len(keys))
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Go(func() { results[i] = checker.CheckLinearizable(key, limit) })
	}
	wg.Wait()
	for _, res := range results {
		if res.Verdict == checker.VerdictIllegal {
			return res.Violation.Reason
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
