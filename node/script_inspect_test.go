package node

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// Commands that print state and change nothing.

// cmdStatus prints each monitor's phase, epoch, lc and role, what its Monitor
// exports, plus the recovered uncommitted value and the fences a script
// must see.
func cmdStatus(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	rs := ranks(t, c, td)
	for r, n := range c.nodes {
		if len(rs) > 0 && !slices.Contains(rs, r) {
			continue
		}
		m := n.m
		if m == nil {
			c.printf("n%d down", r)
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "n%d %s e=%d lc=%d fc=%d h=%s", r, m.Phase(), m.Epoch(), m.LastCommitted(), m.fc, fmtHash(m.stateHash))
		if m.Quorum() != 0 {
			fmt.Fprintf(&b, " q=%s leader=n%d", fmtQuorum(m.Quorum()), m.Leader())
		}
		if m.pendingV != 0 {
			fmt.Fprintf(&b, " pending=%d@%d", m.pendingV, m.pendingPN)
		}
		if p := m.SyncProvider(); p >= 0 {
			fmt.Fprintf(&b, " syncing-from=n%d", p)
		}
		if m.Repairing() {
			b.WriteString(" repairing")
		}
		if m.PageRepairing() {
			b.WriteString(" page-repairing")
		}
		if m.rep.rejoinAbove != 0 {
			fmt.Fprintf(&b, " fenced-below=%d", m.rep.rejoinAbove)
		}
		if m.partial() {
			fmt.Fprintf(&b, " partial floor=%d", m.floor)
		}
		if m.inSync && !m.prog.copiedNothing() {
			fmt.Fprintf(&b, " copied=%s s1=%s", m.prog.copied, fmtVersionRange(m.prog.base, m.prog.top))
		}
		c.printf("%s", b.String())
	}
}

// cmdTimers lists the pending timers in firing order.
func cmdTimers(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	ts := slices.Clone(c.timers)
	slices.SortFunc(ts, func(a, b scriptTimer) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
	})
	rs := ranks(t, c, td)
	for _, tm := range ts {
		if len(rs) == 0 || slices.Contains(rs, tm.rank) {
			c.printf("n%d %s at %s", tm.rank, timerName(tm.tag), fmtTime(tm.at))
		}
	}
}

// cmdPages prints, per monitor, the LSN of each page that has one, its
// damaged pages, and what its LSN vector says of the others:
// pages [0 1 ...].
func cmdPages(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	rs := ranks(t, c, td)
	for r, n := range c.nodes {
		if len(rs) > 0 && !slices.Contains(rs, r) {
			continue
		}
		m := n.m
		if m == nil || m.store == nil {
			c.printf("n%d down", r)
			continue
		}
		var own []string
		for _, p := range m.store.Pages() {
			if p.LSN != 0 && !localPage(p) {
				own = append(own, fmt.Sprintf("p%d@%d", p.Page, p.LSN))
			}
		}
		line := fmt.Sprintf("n%d pages %s", r, strings.Join(own, " "))
		if d := m.store.Damaged(); len(d) > 0 {
			line += fmt.Sprintf(" damaged=%v", d)
		}
		c.printf("%s", line)
		for peer, row := range m.vec.rows {
			if peer == r || m.vec.asOf[peer] == 0 {
				continue
			}
			var known []string
			for p, lsn := range row {
				if lsn != 0 {
					known = append(known, fmt.Sprintf("p%d@%d", p, lsn))
				}
			}
			c.printf("  vector n%d as of lc %d: %s", peer, m.vec.asOf[peer], strings.Join(known, " "))
		}
	}
}

func cmdQueue(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	for _, m := range c.queue {
		c.printf("%s", m.String())
	}
}

// cmdLedger compares every commit the leaders reported: a version committed
// with two different values is a fork.
func cmdLedger(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	byV := map[uint64][]scriptCommit{}
	var vs []uint64
	for _, cm := range c.commits {
		if _, ok := byV[cm.v]; !ok {
			vs = append(vs, cm.v)
		}
		byV[cm.v] = append(byV[cm.v], cm)
	}
	slices.Sort(vs)
	forks := 0
	for _, v := range vs {
		cs := byV[v]
		if slices.ContainsFunc(cs, func(x scriptCommit) bool { return x.hash != cs[0].hash }) {
			forks++
			var parts []string
			for _, x := range cs {
				parts = append(parts, fmt.Sprintf("n%d txn=%s", x.rank, fmtHash(x.hash)))
			}
			c.printf("FORK at v=%d: %s", v, strings.Join(parts, ", "))
		}
	}
	if len(vs) > 0 {
		c.printf("committed v=%d..%d, %d fork(s)", vs[0], vs[len(vs)-1], forks)
	}
}
