package kvstore

import "github.com/cockroachdb/pebble/v2/vfs"

// Point names a step of the store worth cutting power at (a probe point).
// Options.Point is called with it as the store passes the step.
type Point string

// The store's probe points, in the order a level-2 checkpoint passes them.
const (
	PointLogEntryWritten   Point = "kvstore/log-entry-written"   // a record's entry is written, its trailer not yet
	PointLogSynced         Point = "kvstore/log-synced"          // a synced Apply's log fsync returned
	PointL1Written         Point = "kvstore/l1-written"          // the level-1 checkpoint is written (never synced)
	PointCkptWritten       Point = "kvstore/ckpt-written"        // CKPT-(N+1).tmp is written
	PointCkptSynced        Point = "kvstore/ckpt-synced"         // ...and synced
	PointCkptRenamed       Point = "kvstore/ckpt-renamed"        // ...and renamed into place
	PointSegmentCreated    Point = "kvstore/segment-created"     // LOG-(N+1) exists with its header, synced
	PointDirSynced         Point = "kvstore/dir-synced"          // the directory holding both is synced
	PointManifestWritten   Point = "kvstore/manifest-written"    // MANIFEST.tmp is written
	PointManifestSynced    Point = "kvstore/manifest-synced"     // ...and synced
	PointManifestRenamed   Point = "kvstore/manifest-renamed"    // ...and renamed over MANIFEST
	PointManifestDirSynced Point = "kvstore/manifest-dir-synced" // the switch to generation N+1 is durable
	PointObsoleteRemoved   Point = "kvstore/obsolete-removed"    // generation N's files are gone
)

// Points lists every probe point of the store.
func Points() []Point {
	return []Point{PointLogEntryWritten, PointLogSynced, PointL1Written, PointCkptWritten, PointCkptSynced,
		PointCkptRenamed, PointSegmentCreated, PointDirSynced, PointManifestWritten, PointManifestSynced,
		PointManifestRenamed, PointManifestDirSynced, PointObsoleteRemoved}
}

// Zone is a kind of file in a store directory, as a fault plan names what
// to damage.
type Zone string

// The zones of a store directory (doc.go describes each).
const (
	ZoneLog        Zone = "log"        // LOG-<gen>: the redo log segments
	ZoneCheckpoint Zone = "checkpoint" // CKPT-<gen>: the synced level-2 checkpoints
	ZoneL1         Zone = "l1"         // L1: the unsynced level-1 checkpoint
	ZoneManifest   Zone = "manifest"   // MANIFEST: names the live generation
)

// Zones lists every zone.
func Zones() []Zone { return []Zone{ZoneLog, ZoneCheckpoint, ZoneL1, ZoneManifest} }

// PathPrefix is the prefix, relative to the store directory, of every file
// of the zone.
func (z Zone) PathPrefix() string {
	switch z {
	case ZoneLog:
		return logPrefix
	case ZoneCheckpoint:
		return ckptPrefix
	case ZoneL1:
		return l1Name
	case ZoneManifest:
		return manifestName
	}
	return ""
}

// Exists says whether dir holds a store: its MANIFEST is there. It reads
// nothing else, so it says nothing of whether the store will open.
func Exists(fs vfs.FS, dir string) bool {
	_, err := fs.Stat(fs.PathJoin(dir, manifestName))
	return err == nil
}
