package scenarios_test

import (
	"os"
	"testing"

	"github.com/monsim/monsim/internal/campaign"
)

// TestMain runs this package's tests and benchmarks with the garbage
// collector set as simrun sets it, so BenchmarkScenario measures seeds as
// simrun runs them.
func TestMain(m *testing.M) {
	campaign.TuneGC()
	os.Exit(m.Run())
}
