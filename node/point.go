package node

import "github.com/monsim/monsim/node/kvstore"

// Point names a step worth cutting power at (a probe point). The monitor
// calls Env.Point with it as it passes the step; a fault plan may say "cut
// power at the 3rd repair/sync-chunk", and is checked against Points
// before it runs, so a misspelled point is an error rather than a fault
// that never fires.
type Point string

// The monitor's own probe points.
const (
	PointPaxosAccepted      Point = "paxos/accepted"           // an accept is durable, its ack not yet sent
	PointSyncChunkApplied   Point = "sync/chunk-applied"       // a sync chunk is durable
	PointRepairStart        Point = "repair/start"             // the main store is unusable; nothing written yet
	PointRepairMarkStarted  Point = "repair/mark-started"      // store.repair holds the started mark
	PointRepairSources      Point = "repair/sources-chosen"    // the repair chose its source
	PointRepairSyncChunk    Point = "repair/sync-chunk"        // a repair sync chunk is durable
	PointRepairMarkComplete Point = "repair/mark-completed"    // the completed mark is durable
	PointRepairBeforeRemove Point = "repair/before-remove"     // the copy is closed; the damaged store still exists
	PointRepairAfterRemove  Point = "repair/after-remove"      // the damaged store is gone; the copy is not renamed yet
	PointRepairAfterRename  Point = "repair/after-rename"      // store.repair is now store; the parent is not synced yet
	PointRepairMarkDeleted  Point = "repair/after-mark-delete" // the switch is done and durable

	PointSyncResumeAccepted    Point = "sync/resume-accepted"    // a provider agreed to resume; nothing of it written yet
	PointSyncResumeAtSnapshot  Point = "sync/resume-at-snapshot" // the copy is the provider's fault-recovery snapshot, durably
	PointSyncResumeRefused     Point = "sync/resume-refused"     // a refused resume's copy is discarded, durably
	PointSyncFinished          Point = "sync/finished"           // a full sync's end is durable: the in-sync mark is gone
	PointProvideResumeSnapshot Point = "provide/resume-snapshot" // a provider took a fault-recovery snapshot, not answered yet
	PointPageRepairStart       Point = "page/start"              // the store opened with damaged pages; nothing written yet
	PointPageSources           Point = "page/sources-chosen"     // every damaged page has a source; fetches sent
	PointPageFetched           Point = "page/fetched"            // every damaged page is in memory, none installed
	PointPageInstalled         Point = "page/installed"          // the pages are durable in a new generation
	PointPageCatchUp           Point = "page/catch-up-applied"   // a version applied while installed pages are ahead of lc
	PointPageRepairDone        Point = "page/done"               // lc reached every installed page: back to probing
)

// ResumePoints are the steps of a resumed full sync, requester's and
// provider's, in order.
func ResumePoints() []Point {
	return []Point{PointProvideResumeSnapshot, PointSyncResumeAccepted, PointSyncResumeAtSnapshot,
		PointSyncResumeRefused, PointSyncFinished}
}

// RepairPoints are the steps of a whole-store repair, in order.
func RepairPoints() []Point {
	return []Point{PointRepairStart, PointRepairMarkStarted, PointRepairSources, PointRepairSyncChunk,
		PointRepairMarkComplete, PointRepairBeforeRemove, PointRepairAfterRemove, PointRepairAfterRename,
		PointRepairMarkDeleted}
}

// PageRepairPoints are the steps of a page repair, in order.
func PageRepairPoints() []Point {
	return []Point{PointPageRepairStart, PointPageSources, PointPageFetched, PointPageInstalled, PointPageCatchUp,
		PointPageRepairDone}
}

// Points lists every probe point a monitor passes, its store's included.
func Points() []Point {
	out := []Point{PointPaxosAccepted, PointSyncChunkApplied}
	out = append(out, RepairPoints()...)
	out = append(out, ResumePoints()...)
	out = append(out, PageRepairPoints()...)
	for _, p := range kvstore.Points() {
		out = append(out, Point(p))
	}
	return out
}
