package detlint

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// OrderIndependent is the directive that exempts one map range. It goes on
// the line above the for (or the same line), followed by the reason the
// order cannot matter.
const OrderIndependent = "//detlint:order-independent"

const sortKeys = "Go randomises map iteration order; sort the keys first (slices.Sorted(maps.Keys(m))), or annotate why the order cannot matter with " + OrderIndependent + " <reason>"

// checkMapRanges reports range loops over maps, and over the maps.Keys,
// maps.Values and maps.All iterators, that carry no order-independent
// annotation with a reason.
func checkMapRanges(pass *analysis.Pass, f *ast.File) {
	reasons := annotations(pass.Fset, f)
	ast.Inspect(f, func(n ast.Node) bool {
		loop, ok := n.(*ast.RangeStmt)
		if !ok {
			return true
		}
		what := mapRangeKind(pass.TypesInfo, loop.X)
		if what == "" {
			return true
		}
		line := pass.Fset.Position(loop.For).Line
		reason, annotated := reasons[line]
		if !annotated {
			reason, annotated = reasons[line-1]
		}
		switch {
		case !annotated:
			report(pass, loop.For, RuleMapOrder, "range over %s: %s", what, sortKeys)
		case reason == "":
			report(pass, loop.For, RuleMapOrder, "%s needs a reason: say why the order of this %s cannot matter", OrderIndependent, what)
		}
		return true
	})
}

// annotations maps each line carrying an order-independent directive to
// its reason ("" when the reason is missing).
func annotations(fset *token.FileSet, f *ast.File) map[int]string {
	lines := map[int]string{}
	for _, group := range f.Comments {
		for _, c := range group.List {
			rest, ok := strings.CutPrefix(c.Text, OrderIndependent)
			if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
				continue // not the directive, e.g. "//detlint:order-independently"
			}
			lines[fset.Position(c.Slash).Line] = strings.TrimSpace(rest)
		}
	}
	return lines
}

// mapRangeKind describes x if ranging over it visits a map in Go's random
// order, and returns "" otherwise.
func mapRangeKind(info *types.Info, x ast.Expr) string {
	if isMap(info.TypeOf(x)) {
		return "a map"
	}
	if call, ok := ast.Unparen(x).(*ast.CallExpr); ok {
		if fn := typeutil.StaticCallee(info, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "maps" {
			switch fn.Name() {
			case "Keys", "Values", "All":
				return "maps." + fn.Name()
			}
		}
	}
	return ""
}

// isMap reports whether t is a map, or a type parameter whose every
// permitted type is a map.
func isMap(t types.Type) bool {
	if t == nil {
		return false
	}
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		return constraintIsMaps(tp.Constraint())
	}
	_, ok := t.Underlying().(*types.Map)
	return ok
}

func constraintIsMaps(constraint types.Type) bool {
	iface, ok := constraint.Underlying().(*types.Interface)
	if !ok {
		return false
	}
	for i := range iface.NumEmbeddeds() {
		switch e := iface.EmbeddedType(i).(type) {
		case *types.Union:
			allMaps := e.Len() > 0
			for j := range e.Len() {
				allMaps = allMaps && isMap(e.Term(j).Type())
			}
			if allMaps {
				return true
			}
		default:
			if isMap(e) || constraintIsMaps(e) {
				return true
			}
		}
	}
	return false
}
