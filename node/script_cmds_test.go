package node

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/monsim/monsim/faultfs"
)

// The script commands. Each takes node ranks as bare numbers and options
// as key=value; every one may take show=(kinds...) to print only those
// events, message types, or "deliver", "timer", "point" lines.

type scriptCmd func(c *scriptCluster, t *testing.T, td *datadriven.TestData)

var scriptCmds map[string]scriptCmd

func init() {
	scriptCmds = map[string]scriptCmd{
		"boot": cmdBoot, "crash": cmdCrash, "power-loss": cmdPowerLoss, "corrupt": cmdCorrupt,
		"wipe": cmdWipe, "deliver": cmdDeliver, "drop": cmdDrop, "inject": cmdInject,
		"tick": cmdTick, "run": cmdRun, "stabilize": cmdStabilize, "isolate": cmdIsolate, "partition": cmdPartition, "heal": cmdHeal,
		"hold": cmdHold, "release": cmdRelease,
		"disk-error": cmdDiskError, "rename": cmdRename, "refire": cmdRefire, "ls": cmdLs,
		"propose": cmdPropose, "write": cmdWrite, "read": cmdRead, "status": cmdStatus, "timers": cmdTimers,
		"queue": cmdQueue, "ledger": cmdLedger, "pages": cmdPages,
	}
}

// ranks returns the bare numbers among the arguments.
func ranks(t *testing.T, c *scriptCluster, td *datadriven.TestData) []int {
	var out []int
	for _, a := range td.CmdArgs {
		if r, err := strconv.Atoi(a.Key); err == nil && len(a.Vals) == 0 {
			if r < 0 || r >= len(c.nodes) {
				td.Fatalf(t, "no monitor %d", r)
			}
			out = append(out, r)
		}
	}
	return out
}

func argInt(t *testing.T, td *datadriven.TestData, key string, def int) int {
	td.MaybeScanArgs(t, key, &def)
	return def
}

func argStr(t *testing.T, td *datadriven.TestData, key, def string) string {
	td.MaybeScanArgs(t, key, &def)
	return def
}

// argDur reads a duration such as 300ms; a bare one is found by position.
func argDur(t *testing.T, td *datadriven.TestData, key string, def int64) int64 {
	for _, a := range td.CmdArgs {
		s := ""
		switch {
		case a.Key == key && len(a.Vals) == 1:
			s = a.Vals[0]
		case key == "" && len(a.Vals) == 0 && strings.IndexFunc(a.Key, isUnit) > 0:
			s = a.Key
		default:
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			td.Fatalf(t, "bad duration %q", s)
		}
		return int64(d)
	}
	return def
}

func isUnit(r rune) bool { return r == 's' || r == 'm' || r == 'u' || r == 'n' || r == 'h' }

func cmdBoot(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	for _, r := range ranks(t, c, td) {
		c.boot(r)
	}
}

// cmdCrash crashes a process now, or arms the crash at a probe point:
// crash 2 at=repair/after-rename [nth=1].
func cmdCrash(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	c.fault(t, td, false, 0)
}

func cmdPowerLoss(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	var mode faultfs.PowerMode
	err := mode.UnmarshalText([]byte(argStr(t, td, "mode", "honest")))
	if err != nil {
		td.Fatalf(t, "%v", err)
	}
	c.fault(t, td, true, mode)
}

func (c *scriptCluster) fault(t *testing.T, td *datadriven.TestData, power bool, mode faultfs.PowerMode) {
	for _, r := range ranks(t, c, td) {
		if at := argStr(t, td, "at", ""); at != "" {
			nth := c.nodes[r].points[at] + argInt(t, td, "nth", 1)
			c.traps = append(c.traps, trap{rank: r, point: at, nth: nth, power: power, mode: mode})
			c.printf("n%d: armed at %s", r, at)
			continue
		}
		if power {
			c.printf("n%d power cut (%s)", r, mode)
			c.powerLoss(r, mode)
		} else {
			c.printf("n%d crashed", r)
			c.crash(r)
		}
	}
}

// cmdCorrupt rots synced data at rest: corrupt 1 kind=bit-flip path=mon-1/store/MANIFEST,
// or one page of the live checkpoint: corrupt 1 page=3.
func cmdCorrupt(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	var kind faultfs.CorruptKind
	if err := kind.UnmarshalText([]byte(argStr(t, td, "kind", "bit-flip"))); err != nil {
		td.Fatalf(t, "%v", err)
	}
	for _, r := range ranks(t, c, td) {
		if page := argInt(t, td, "page", -1); page >= 0 {
			target := PageTargets()[page]
			path, _ := Config{Rank: r}.TargetPath(target)
			if f, ok := c.nodes[r].fs.CorruptWithin(kind, path, PageLocator(target)); ok {
				c.printf("n%d disk: %s %s (page %d)", r, f.Kind, f.Path, page)
			} else {
				c.printf("n%d disk: page %d holds nothing to corrupt", r, page)
			}
			continue
		}
		path := argStr(t, td, "path", fmt.Sprintf("mon-%d/store/", r))
		if f, ok := c.nodes[r].fs.Corrupt(kind, path); ok {
			c.printf("n%d disk: %s %s", r, f.Kind, f.Path)
		} else {
			c.printf("n%d disk: nothing to corrupt under %s", r, path)
		}
	}
}

// cmdWipe removes a directory from a disk, durably: wipe 1 path=mon-1/store.
func cmdWipe(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	for _, r := range ranks(t, c, td) {
		path := argStr(t, td, "path", fmt.Sprintf("mon-%d/store", r))
		if err := removeDurably(c.nodes[r].fs, path); err != nil {
			td.Fatalf(t, "wipe: %v", err)
		}
		c.printf("n%d disk: removed %s", r, path)
	}
}

// msgFilter selects queued messages: from=, to=, type=(...), n=.
type msgFilter struct {
	from, to int
	types    []string
	n        int
}

func parseFilter(t *testing.T, td *datadriven.TestData) msgFilter {
	f := msgFilter{from: argInt(t, td, "from", -1), to: argInt(t, td, "to", -1), n: argInt(t, td, "n", -1)}
	if a, ok := td.Arg("type"); ok {
		f.types = a.Vals
	}
	return f
}

func (f *msgFilter) match(m *scriptMsg) bool {
	return (f.from < 0 || m.from == f.from) && (f.to < 0 || m.to == f.to) &&
		(f.types == nil || slices.Contains(f.types, m.kind()))
}

// take removes the matching messages from the queue, oldest first.
func (c *scriptCluster) take(f msgFilter) []scriptMsg {
	var got []scriptMsg
	kept := c.queue[:0]
	for _, m := range c.queue {
		if f.match(&m) && (f.n < 0 || len(got) < f.n) {
			got = append(got, m)
		} else {
			kept = append(kept, m)
		}
	}
	c.queue = kept
	return got
}

// cmdDeliver delivers the matching queued messages; dup leaves a copy
// queued, corrupt flips a bit on the way.
func cmdDeliver(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	msgs := c.take(parseFilter(t, td))
	if td.HasArg("dup") {
		c.queue = append(c.queue, msgs...)
	}
	for _, m := range msgs {
		if td.HasArg("corrupt") {
			m.b = slices.Clone(m.b)
			m.b[len(m.b)-1] ^= 1
		}
		c.deliver(m)
	}
}

func cmdDrop(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	for _, m := range c.take(parseFilter(t, td)) {
		c.printf("dropped %s", m.String())
	}
}

func cmdTick(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	c.tick(argDur(t, td, "", 0))
}

func cmdRun(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	if err := c.run(argDur(t, td, "", 0), argInt(t, td, "max", 10000)); err != nil {
		td.Fatalf(t, "%v", err)
	}
}

func cmdStabilize(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	if err := c.stabilize(argInt(t, td, "max", 10000)); err != nil {
		td.Fatalf(t, "%v", err)
	}
}

// cmdIsolate cuts each node off from all others: whatever it sends or is
// sent is dropped.
func cmdIsolate(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	for _, r := range ranks(t, c, td) {
		c.sides++
		c.side[r] = c.sides
	}
	c.dropCut()
}

// cmdPartition puts the nodes named on a side of their own: partition 0 4.
func cmdPartition(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	c.sides++
	for _, r := range ranks(t, c, td) {
		c.side[r] = c.sides
	}
	c.dropCut()
}

// dropCut drops the queued messages that a cut now separates.
func (c *scriptCluster) dropCut() {
	kept := c.queue[:0]
	for _, m := range c.queue {
		if c.cut(m.from, m.to) {
			c.printf("dropped %s", m.String())
		} else {
			kept = append(kept, m)
		}
	}
	c.queue = kept
}

// cmdHeal puts the nodes named (all by default) back on the common side.
func cmdHeal(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	rs := ranks(t, c, td)
	for r := range c.side {
		if len(rs) == 0 || slices.Contains(rs, r) {
			c.side[r] = 0
		}
	}
}

// cmdHold keeps matching messages queued through stabilize and run (an
// explicit deliver still delivers them): hold from=2 type=propose.
func cmdHold(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	c.held = append(c.held, parseFilter(t, td))
}

func cmdRelease(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	c.held = nil
}
