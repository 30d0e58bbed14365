package checker

import (
	"fmt"
	"strconv"
)

// Violation is one broken property: which checker saw it, where (a node,
// or -1 for the cluster as a whole), when (simulated ns) and, in one line,
// what went wrong.
type Violation struct {
	Checker Name
	Node    int
	At      int64
	Reason  string
}

func (v Violation) String() string {
	where := "cluster"
	if v.Node >= 0 {
		where = "node " + strconv.Itoa(v.Node)
	}
	return fmt.Sprintf("%s: %s (%s at t=%s)", v.Checker, v.Reason, where, formatTime(v.At))
}

func formatTime(t int64) string {
	const second, micro = 1_000_000_000, 1_000
	return fmt.Sprintf("%d.%06ds", t/second, t%second/micro)
}
