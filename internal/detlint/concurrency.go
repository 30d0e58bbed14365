package detlint

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
)

const useKernelEvents = "the simulation is single-threaded; schedule work as kernel events and timers through the Env, and send messages with Env.Send"

// checkConcurrency reports go statements and every channel construct:
// channel types, sends, receives, range over a channel, and select.
func checkConcurrency(pass *analysis.Pass, f *ast.File) {
	// A select reports once for itself, not again for each case's
	// send or receive.
	inSelectCase := map[ast.Node]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			report(pass, n.Pos(), RuleGoroutine, "go statement: %s", useKernelEvents)
		case *ast.ChanType:
			report(pass, n.Pos(), RuleChannel, "channel type: %s", useKernelEvents)
			return false // a nested "chan chan T" is the same finding
		case *ast.SendStmt:
			if !inSelectCase[n] {
				report(pass, n.Pos(), RuleChannel, "channel send: %s", useKernelEvents)
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && !inSelectCase[n] {
				report(pass, n.Pos(), RuleChannel, "channel receive: %s", useKernelEvents)
			}
		case *ast.RangeStmt:
			if isChan(pass.TypesInfo.TypeOf(n.X)) {
				report(pass, n.Pos(), RuleChannel, "range over a channel: %s", useKernelEvents)
			}
		case *ast.SelectStmt:
			report(pass, n.Pos(), RuleChannel, "select statement: %s", useKernelEvents)
			for _, clause := range n.Body.List {
				if op := commOp(clause.(*ast.CommClause).Comm); op != nil {
					inSelectCase[op] = true
				}
			}
		}
		return true
	})
}

// commOp returns the send or receive of a select case, or nil for default.
func commOp(comm ast.Stmt) ast.Node {
	switch s := comm.(type) {
	case *ast.SendStmt:
		return s
	case *ast.ExprStmt: // case <-ch:
		return ast.Unparen(s.X)
	case *ast.AssignStmt: // case v, ok := <-ch:
		if len(s.Rhs) == 1 {
			return ast.Unparen(s.Rhs[0])
		}
	}
	return nil
}

func isChan(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Chan)
	return ok
}
