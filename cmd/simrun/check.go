package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/monsim/monsim/internal/history"
)

// defaultCheckTimeout bounds porcupine's search unless -timeout says
// otherwise; hitting it is exit 4, never a pass.
const defaultCheckTimeout = time.Minute

// cmdCheck checks a recorded history for linearizability: monsim's own JSON
// history, a Jepsen log or Jepsen EDN ops (internal/history tells them
// apart). It prints the verdict, and for a violation one line naming the key
// and the op that fails; exit 0 linearizable, 1 not, 4 undecided in time,
// 2 for an unreadable or malformed file.
func cmdCheck(args []string, stdout, _ io.Writer) error {
	fs := newFlags("check")
	timeout := durationFlag{d: defaultCheckTimeout}
	fs.Var(&timeout, "timeout", "wall-clock bound on the search (0: none)")
	pos, err := parseFlags(fs, reorder(args), 1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("check: needs one history file")
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return usagef("check: %v", err)
	}
	res, err := history.Check(data, timeout.d)
	if err != nil {
		return usagef("check: %s: %v", pos[0], err)
	}
	fmt.Fprintln(stdout, res.Verdict)
	switch res.Verdict {
	case history.VerdictLinearizable:
		return nil
	case history.VerdictNotLinearizable:
		fmt.Fprintln(stdout, res.Detail)
		return &exitError{code: exitViolation}
	}
	return &exitError{code: exitUnknown}
}
