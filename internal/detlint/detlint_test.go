package detlint_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/monsim/monsim/internal/detlint"
)

// Each testdata package plants one rule family next to its near misses; the
// "// want" comments are the whole specification. analysistest fails on a
// missing finding and on any unexpected one, so every unannotated line is a
// near miss that must stay silent.

func pkg(dir string) string { return detlint.Module + "/" + dir }

func TestGoroutineInSimIsReported(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("sim"))
}

func TestWallClockInNodeIsReported(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("node"))
}

func TestSubpackageOfScopeIsChecked(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("node/paxos"))
}

func TestSyncImportIsReported(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("netsim"))
}

func TestOSAccessIsReportedButOSTypesAndErrorsAreNot(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("faultfs"))
}

func TestGlobalRandIsReportedButPCGIsNot(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("checker"))
}

func TestUnannotatedMapRangeIsReported(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("scenarios"))
}

func TestPackagesOutsideTheSimulatedWorldAreNotChecked(t *testing.T) {
	// Both packages are full of violations and carry no "want" comments.
	results := analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("cmd/tool"), pkg("simulator"))
	for _, r := range results {
		require.Empty(t, r.Diagnostics, "package %s", r.Action.Package.PkgPath)
	}
}

func TestTestFilesAreNotChecked(t *testing.T) {
	// sim/sim_test.go and node/node_test.go break every rule; their
	// packages' test variants must report only the non-test findings.
	for _, r := range analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("sim"), pkg("node")) {
		for _, d := range r.Diagnostics {
			file := r.Action.Package.Fset.Position(d.Pos).Filename
			require.False(t, strings.HasSuffix(file, "_test.go"), "finding in test file %s: %s", file, d.Message)
		}
	}
}

func TestFindingsCarryTheirRuleAsCategory(t *testing.T) {
	for _, r := range analysistest.Run(t, analysistest.TestData(), detlint.Analyzer, pkg("faultfs"), pkg("scenarios")) {
		for _, d := range r.Diagnostics {
			require.NotEmpty(t, d.Category)
			require.True(t, strings.HasPrefix(d.Message, d.Category+": "), d.Message)
		}
	}
}

func TestScopeIsTheSimulatedWorld(t *testing.T) {
	for path, want := range map[string]bool{
		"github.com/monsim/monsim/sim":              true,
		"github.com/monsim/monsim/netsim":           true,
		"github.com/monsim/monsim/faultfs":          true,
		"github.com/monsim/monsim/node":             true,
		"github.com/monsim/monsim/node/kvstore":     true,
		"github.com/monsim/monsim/collector":        true,
		"github.com/monsim/monsim/checker":          true,
		"github.com/monsim/monsim/scenarios":        true,
		"github.com/monsim/monsim/harness":          true,
		"github.com/monsim/monsim/scenarios/a/b":    true,
		"github.com/monsim/monsim/simulator":        false,
		"github.com/monsim/monsim/node_test":        false,
		"github.com/monsim/monsim/cmd/simrun":       false,
		"github.com/monsim/monsim/internal/rng":     false,
		"github.com/monsim/monsim/internal/detlint": false,
		"github.com/monsim/monsim":                  false,
		"example.com/sim":                           false,
		"sim":                                       false,
	} {
		require.Equal(t, want, detlint.InScope(path), path)
	}
}
