package node

import (
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/monsim/monsim/node/kvstore"
)

// Target is a part of a monitor's disk that a fault plan may damage or
// make fail: one zone of its store, or the whole store. A plan names the
// target, the monitor's configuration turns it into paths, so no harness
// needs to know the store's file layout.
type Target string

// The targets: the whole main store, one zone of it (kvstore.Zone), or the
// copy a repair is building.
const (
	TargetStore      Target = "store"
	TargetRepairCopy Target = "store.repair"
	TargetLog        Target = Target(kvstore.ZoneLog)
	TargetCheckpoint Target = Target(kvstore.ZoneCheckpoint)
	TargetL1         Target = Target(kvstore.ZoneL1)
	TargetManifest   Target = Target(kvstore.ZoneManifest)
)

// Targets lists every target: the whole store, each zone of it, then each
// page of its checkpoint (PageTargets).
func Targets() []Target {
	out := []Target{TargetStore, TargetRepairCopy}
	for _, z := range kvstore.Zones() {
		out = append(out, Target(z))
	}
	return append(out, PageTargets()...)
}

// TargetPath is the path prefix, on the monitor's disk, of every file t
// names; false for an unknown target.
func (c Config) TargetPath(t Target) (string, bool) {
	c = c.withDefaults()
	dir := c.Dir
	switch t {
	case TargetStore:
		return dir + "/", true
	case TargetRepairCopy:
		return c.repairDir() + "/", true
	}
	if _, ok := TargetPage(t); ok {
		return dir + "/" + kvstore.ZoneCheckpoint.PathPrefix(), true // PageLocator finds the page in it
	}
	z := kvstore.Zone(t)
	if p := z.PathPrefix(); p != "" {
		return dir + "/" + p, true
	}
	return "", false
}

// HasStore says whether fs holds the monitor's main store, judged by its
// MANIFEST alone: a harness checks switch atomicity with it before the
// monitor boots and touches the disk.
func (c Config) HasStore(fs vfs.FS) bool { return kvstore.Exists(fs, c.withDefaults().Dir) }
