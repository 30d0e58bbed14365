// Package detlint is the determinism lint: an analyzer that rejects, in the
// simulated world's non-test code, every construct that can make one seed
// give two different runs (docs/design.md, "Determinism").
//
// The simulated world is sim/, netsim/, faultfs/, node/, collector/,
// checker/, harness/ and scenarios/ with their subpackages. Test files,
// generated files and all other packages are left alone. Each finding's
// message starts with its rule id (goroutine, channel, sync, wall-clock,
// global-rand, os-access, map-order, and in the system under test, node/
// and collector/, only unwind: defer and recover) and says what to use
// instead.
//
// The rules are syntactic plus go/types: they see what a file names, not
// what a call might do at run time, so nondeterminism hidden behind an
// interface or inside a dependency is out of reach (docs/design.md lists
// the known traps in third-party code).
package detlint

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Analyzer reports determinism violations in the simulated world's packages.
var Analyzer = &analysis.Analyzer{
	Name: "detlint",
	Doc:  "reject goroutines, channels, sync, wall-clock time, global randomness, OS access and unordered map iteration in the simulated world",
	URL:  "https://github.com/monsim/monsim/blob/main/docs/design.md",
	Run:  run,
	// The rules need only the syntax and whatever types did resolve, so a
	// package with a type error elsewhere is still checked.
	RunDespiteErrors: true,
}

// Rule is a finding's id, printed first in its message and set as the
// diagnostic's Category.
type Rule string

// The rules, one per kind of nondeterminism.
const (
	RuleGoroutine  Rule = "goroutine"
	RuleChannel    Rule = "channel"
	RuleSync       Rule = "sync"
	RuleWallClock  Rule = "wall-clock"
	RuleGlobalRand Rule = "global-rand"
	RuleOSAccess   Rule = "os-access"
	RuleMapOrder   Rule = "map-order"
	RuleUnwind     Rule = "unwind" // node/ and collector/ only: defer and recover
)

// Module is the import path of the project's module.
const Module = "github.com/monsim/monsim"

// simulatedWorld lists the top-level directories whose packages the lint
// checks.
var simulatedWorld = map[string]bool{
	"sim":       true,
	"netsim":    true,
	"faultfs":   true,
	"node":      true,
	"collector": true,
	"checker":   true,
	"scenarios": true,
	"harness":   true,
}

// InScope reports whether the package with this import path belongs to the
// simulated world: one of its top-level directories or a subpackage of one.
func InScope(pkgPath string) bool {
	rest, ok := strings.CutPrefix(pkgPath, Module+"/")
	if !ok {
		return false
	}
	top, _, _ := strings.Cut(rest, "/")
	return simulatedWorld[top]
}

func run(pass *analysis.Pass) (any, error) {
	if !InScope(pass.Pkg.Path()) {
		return nil, nil
	}
	for _, f := range pass.Files {
		if !checked(pass.Fset, f) {
			continue
		}
		checkImports(pass, f)
		checkConcurrency(pass, f)
		checkCalls(pass, f)
		checkMapRanges(pass, f)
		checkUnwind(pass, f)
	}
	return nil, nil
}

// checked reports whether a file is subject to the rules: tests may use
// anything, and generated code answers to its generator.
func checked(fset *token.FileSet, f *ast.File) bool {
	tf := fset.File(f.Pos())
	if tf == nil || strings.HasSuffix(tf.Name(), "_test.go") {
		return false
	}
	return !ast.IsGenerated(f)
}

// report emits one finding as "<rule>: <message>".
func report(pass *analysis.Pass, pos token.Pos, rule Rule, format string, args ...any) {
	pass.Report(analysis.Diagnostic{
		Pos:      pos,
		Category: string(rule),
		Message:  string(rule) + ": " + fmt.Sprintf(format, args...),
	})
}
