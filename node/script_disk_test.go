package node

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// Disk faults beyond power and rot: one-shot I/O errors and tampering.

// oneShotEIO fails count operations of the given kinds under prefix with
// EIO, after letting skip of them through; then never again.
type oneShotEIO struct {
	kinds       []errorfs.OpKind
	prefix      string
	exact       bool // the path must be prefix itself
	skip, count int
}

func (e *oneShotEIO) String() string { return "one-shot eio" }

func (e *oneShotEIO) MaybeError(op errorfs.Op) error {
	path := strings.TrimLeft(op.Path, "/")
	if e.count == 0 || !slices.Contains(e.kinds, op.Kind) || !strings.HasPrefix(path, e.prefix) || e.exact && path != e.prefix {
		return nil
	}
	if e.skip > 0 {
		e.skip--
		return nil
	}
	e.count--
	return syscall.EIO
}

var diskOps = map[string][]errorfs.OpKind{
	"read":    {errorfs.OpFileRead, errorfs.OpFileReadAt},
	"write":   {errorfs.OpFileWrite, errorfs.OpFileWriteAt},
	"sync":    {errorfs.OpFileSync, errorfs.OpFileSyncData},
	"open":    {errorfs.OpOpen},
	"opendir": {errorfs.OpOpenDir},
	"close":   {errorfs.OpFileClose},
	"create":  {errorfs.OpCreate},
	"rename":  {errorfs.OpRename},
	"remove":  {errorfs.OpRemoveAll},
	"mkdir":   {errorfs.OpMkdirAll},
	"stat":    {errorfs.OpStat},
	"list":    {errorfs.OpList},
}

// cmdDiskError arms I/O errors: disk-error 1 op=write [path=mon-1/store]
// [exact] [skip=N] [count=M] [at=point nth=K] fails the next M (1) such
// operations after N with EIO, from now or from the probe point on.
func cmdDiskError(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	op := argStr(t, td, "op", "write")
	kinds, ok := diskOps[op]
	if !ok {
		td.Fatalf(t, "unknown disk op %q", op)
	}
	for _, r := range ranks(t, c, td) {
		path := argStr(t, td, "path", fmt.Sprintf("mon-%d/", r))
		inj := &oneShotEIO{kinds: kinds, prefix: path, exact: td.HasArg("exact"),
			skip: argInt(t, td, "skip", 0), count: argInt(t, td, "count", 1)}
		if at := argStr(t, td, "at", ""); at != "" {
			nth := c.nodes[r].points[at] + argInt(t, td, "nth", 1)
			c.traps = append(c.traps, trap{rank: r, point: at, nth: nth, eio: inj})
			c.printf("n%d disk: a %s of %s will fail after %s", r, op, path, at)
			continue
		}
		c.nodes[r].fs.SetInjector(inj)
		c.printf("n%d disk: a %s of %s will fail", r, op, path)
	}
}

// cmdRename moves a file or directory on a disk, as an operator might:
// rename 2 from=mon-2/store.repair to=mon-2/store.
func cmdRename(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	from, to := argStr(t, td, "from", ""), argStr(t, td, "to", "")
	for _, r := range ranks(t, c, td) {
		fs := c.nodes[r].fs
		if err := fs.RemoveAll(to); err != nil {
			td.Fatalf(t, "rename: %v", err)
		}
		if err := fs.Rename(from, to); err != nil {
			td.Fatalf(t, "rename: %v", err)
		}
		if err := syncDir(fs, fs.PathDir(to)); err != nil {
			td.Fatalf(t, "rename: %v", err)
		}
		c.printf("n%d disk: renamed %s to %s", r, from, to)
	}
}

// cmdRefire fires the timer monitor r cancelled last, as a host whose timer
// raced with the cancel would.
func cmdRefire(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	for _, r := range ranks(t, c, td) {
		tm := c.nodes[r].cancelled
		if tm.id == 0 || !c.up(r) {
			td.Fatalf(t, "n%d: no cancelled timer", r)
		}
		c.log("timer", "n%d timer %s (cancelled) at %s", r, timerName(tm.tag), fmtTime(c.now))
		c.call(r, func(m *Monitor) { m.Fire(tm.id, tm.tag) })
	}
}

// cmdLs lists a directory of a disk, sorted: ls 2 [path=mon-2].
func cmdLs(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	for _, r := range ranks(t, c, td) {
		path := argStr(t, td, "path", fmt.Sprintf("mon-%d", r))
		names, err := c.nodes[r].fs.List(path)
		if err != nil {
			c.printf("n%d %s: missing", r, path)
			continue
		}
		slices.Sort(names)
		c.printf("n%d %s: %s", r, path, strings.Join(names, " "))
	}
}
