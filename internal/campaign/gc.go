package campaign

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target while simulations run: the
// heap may grow to five times what is live before a collection. A
// simulation allocates fast and keeps little (a worker's live heap is a few
// MB), so at Go's default of 100 the collector runs often enough to take
// about a third of the CPU; at 400 a 2-worker fuzz run peaks around 75 MB
// instead of 35 MB.
const GCPercent = 400

// TuneGC sets GCPercent unless the GOGC environment variable chooses for
// itself (GOGC=100 restores Go's default; GOMEMLIMIT caps the heap as
// usual).
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
