package detlint

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// checkUnwind reports defer statements and calls to recover in the system
// under test (node/, collector/ and their subpackages). A power cut at a probe point or
// after a disk operation unwinds the handler at once (sim.Kernel panics
// through it): a deferred call would run code after the cut, as no real
// power loss allows, and a recover would swallow the cut itself.
func checkUnwind(pass *analysis.Pass, f *ast.File) {
	if !inSystemUnderTest(pass.Pkg.Path()) {
		return
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			report(pass, n.Pos(), RuleUnwind, "defer: %s", noUnwind)
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
					report(pass, n.Pos(), RuleUnwind, "recover: %s", noUnwind)
				}
			}
		}
		return true
	})
}

const noUnwind = "a power cut unwinds the monitor's handler where it stands; nothing may run after it or stop it, so close and clean up explicitly on each path"

// inSystemUnderTest says whether a package is node/ or collector/, or below
// one of them.
func inSystemUnderTest(pkgPath string) bool {
	rest, ok := strings.CutPrefix(pkgPath, Module+"/")
	top, _, _ := strings.Cut(rest, "/")
	return ok && (top == "node" || top == "collector")
}
