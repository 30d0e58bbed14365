package collector

import "github.com/monsim/monsim/node/kvstore"

// Point names a step worth cutting power at: a fault plan may say "cut
// collector 6's power the 2nd time it stores events past a gap".
type Point string

// The collector's own probe points.
const (
	PointOpened      Point = "collector/opened"           // the store is open and loaded; nothing sent yet
	PointStored      Point = "collector/stored"           // a batch of events is durable; no reaction, no report yet
	PointStoredAhead Point = "collector/stored-ahead"     // events past a gap are durable: the gap is open
	PointFullState   Point = "collector/full-state-taken" // the full state replaced the log, durably
	PointFetching    Point = "collector/fetching"         // it asked for events it misses (catch-up step 3)
)

// Points lists every probe point a collector passes, its store's included.
func Points() []Point {
	out := []Point{PointOpened, PointStored, PointStoredAhead, PointFullState, PointFetching}
	for _, p := range kvstore.Points() {
		out = append(out, Point(p))
	}
	return out
}

// OwnPoints are the collector's probe points without its store's, which
// are the monitor's too.
func OwnPoints() []Point { return Points()[:5] }
