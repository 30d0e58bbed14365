package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/monsim/monsim/node"
)

// Liveness proves that a healed cluster converged: once every fault is off
// and the liveness deadline has passed, every monitor is up and in one
// quorum (leader or peon) that contains every monitor, under one leader and
// one epoch, with equal lc, and every client operation has finished.
//
// It does not prove how fast the cluster converged (the harness picks the
// deadline), nor that it stays converged afterwards, and it reads a
// snapshot the harness takes: a monitor's own view, not what its peers
// think of it.

// MonitorState is one monitor's state in the final snapshot.
type MonitorState struct {
	Rank   int
	Up     bool       // its process runs
	Phase  node.Phase // its phase: leader or peon once converged
	LC     uint64     // last committed version
	Quorum uint64     // bit i set: rank i is in its quorum
	Epoch  uint64     // election epoch
}

// CheckLiveness checks the snapshot states, taken at simulated time at,
// and the number of client operations still unfinished. note, if not
// empty, ends every reason (e.g. "after 30s of healing").
func CheckLiveness(at int64, states []MonitorState, unfinishedOps int, note string) []Violation {
	var rec record
	suffix := ""
	if note != "" {
		suffix = " (" + note + ")"
	}
	report := func(node int, format string, args ...any) {
		rec.addf(NameLiveness, node, at, format+suffix, args...)
	}
	states = slices.Clone(states)
	slices.SortFunc(states, func(a, b MonitorState) int { return a.Rank - b.Rank })

	var everyone, maxLC uint64
	for _, s := range states {
		if validRank(s.Rank) {
			everyone |= 1 << s.Rank
		}
		if s.Up {
			maxLC = max(maxLC, s.LC)
		}
	}
	var leaders []int
	var quorum, epoch uint64
	quorumFrom := -1
	for _, s := range states {
		switch {
		case !s.Up:
			report(s.Rank, "monitor %d is down", s.Rank)
			continue
		case !s.Phase.InQuorum():
			report(s.Rank, "monitor %d is %s, not in a quorum (epoch %d, lc %d)", s.Rank, s.Phase, s.Epoch, s.LC)
			continue
		}
		if s.Phase == node.PhaseLeader {
			leaders = append(leaders, s.Rank)
		}
		if s.Quorum != everyone {
			report(s.Rank, "monitor %d's quorum is %s, not every monitor %s", s.Rank, ranks(s.Quorum), ranks(everyone))
		}
		if quorumFrom < 0 {
			quorum, epoch, quorumFrom = s.Quorum, s.Epoch, s.Rank
		} else if s.Epoch != epoch || s.Quorum != quorum {
			report(s.Rank, "monitor %d is in quorum %s epoch %d, but monitor %d is in quorum %s epoch %d",
				s.Rank, ranks(s.Quorum), s.Epoch, quorumFrom, ranks(quorum), epoch)
		}
		if s.LC != maxLC {
			report(s.Rank, "monitor %d has lc %d, behind the cluster's %d", s.Rank, s.LC, maxLC)
		}
	}
	if quorumFrom >= 0 && len(leaders) != 1 {
		report(-1, "%d leaders %v, want exactly one", len(leaders), leaders)
	}
	if unfinishedOps > 0 {
		report(-1, "%d client operations never finished", unfinishedOps)
	}
	return rec.list
}

// ranks renders a quorum bitmask as {0,2,3}.
func ranks(mask uint64) string {
	var b strings.Builder
	b.WriteByte('{')
	for r := range 64 {
		if mask&(1<<r) != 0 {
			if b.Len() > 1 {
				b.WriteByte(',')
			}
			fmt.Fprint(&b, r)
		}
	}
	b.WriteByte('}')
	return b.String()
}
