package checker

import "strings"

// CheckLeftovers proves that, once a run has healed, no monitor holds on to
// what it should have let go: store files of generations it moved past, a
// repair directory it no longer uses, sync sessions nobody will finish.
// leftovers[r] is what monitor r reports (node.Monitor.Leftovers), taken at
// simulated time at; a monitor that is down reports nothing.
//
// It proves nothing about memory the monitor does not report, nor about a
// monitor that is down at the end.
func CheckLeftovers(at int64, leftovers [][]string) []Violation {
	var rec record
	for r, l := range leftovers {
		if len(l) > 0 {
			rec.addf(NameLeftovers, r, at, "left behind after the heal: %s", strings.Join(l, "; "))
		}
	}
	return rec.list
}
