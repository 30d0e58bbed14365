package mutate

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strconv"
)

// File is one parsed, type-checked source file.
type File struct {
	Rel  string // slash-separated path relative to the module root
	Src  []byte
	AST  *ast.File
	Info *types.Info // of the file's package: Types, Uses and Defs are needed
}

// Options choose what Enumerate reports.
type Options struct {
	Ops []Op // nil: every operator
	// Guard names a struct field of planted-bug switches (monsim's
	// Config.Bugs). Code that only runs when such a switch is on is dead in
	// a default run, and flipping a switch only plants a known bug, so
	// mutants there are skipped: they would be equivalent by construction.
	Guard string
	// Inert names functions and methods whose calls change nothing the
	// system under test does: monsim's probe points (a place a harness may
	// cut power), code probes (a counter) and error constructors (only a
	// message's text). Such calls are neither dropped nor have their
	// arguments mutated: the mutants would be equivalent by construction.
	Inert []string
}

// Enumerate lists every mutant of the files, in file order and then in
// source order. The result depends only on the files' text, so it is the
// same on every run.
func Enumerate(fset *token.FileSet, files []*File, opt Options) []Mutant {
	ops := opt.Ops
	if ops == nil {
		ops = AllOps
	}
	var all []Mutant
	for _, f := range files {
		e := &enumerator{fset: fset, f: f, ops: ops, guard: opt.Guard, inert: opt.Inert, seen: map[string]int{},
			negated: map[*ast.BasicLit]bool{}, nonNeg: map[ast.Expr]bool{}}
		e.findGuarded()
		ast.Inspect(f.AST, e.visit)
		all = append(all, e.out...)
	}
	return all
}

type enumerator struct {
	fset  *token.FileSet
	f     *File
	ops   []Op
	guard string
	inert []string
	out   []Mutant
	seen  map[string]int // next index per position and operator
	// skip holds byte ranges no edit may touch: references to the guard
	// and bodies that run only when a guard switch is on.
	skip [][2]int
	// fixed are integer literals that are not bounds: array lengths (a
	// type, not a bound) and iota enumerations (arbitrary names).
	fixed [][2]int
	// negated are literals shifted together with their minus sign.
	negated map[*ast.BasicLit]bool
	// nonNeg are literal indexes, slice bounds and make sizes: -1 there
	// does not compile.
	nonNeg map[ast.Expr]bool
}

func (e *enumerator) off(p token.Pos) int { return e.fset.Position(p).Offset }

func (e *enumerator) text(n ast.Node) string {
	return string(e.f.Src[e.off(n.Pos()):e.off(n.End())])
}

func (e *enumerator) has(op Op) bool { return slices.Contains(e.ops, op) }

// add records a mutant named by pos unless an edit touches a skipped range.
func (e *enumerator) add(op Op, pos token.Pos, edits ...Edit) {
	for _, ed := range edits {
		for _, r := range e.skip {
			if ed.Start < r[1] && r[0] < ed.End {
				return
			}
		}
	}
	p := e.fset.Position(pos)
	key := strconv.Itoa(p.Offset) + string(op)
	idx := e.seen[key]
	e.seen[key]++
	e.out = append(e.out, Mutant{File: e.f.Rel, Line: p.Line, Col: p.Column, Op: op, Index: idx, Edits: edits})
}

// replace is an edit that replaces node n with text.
func (e *enumerator) replace(n ast.Node, text string) Edit {
	return Edit{Start: e.off(n.Pos()), End: e.off(n.End()), New: text}
}

func (e *enumerator) span(n ast.Node) [2]int { return [2]int{e.off(n.Pos()), e.off(n.End())} }

// calleeName is the name a call calls: f for f(...) and x.f(...).
func calleeName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// findGuarded fills the skip and fixed ranges.
func (e *enumerator) findGuarded() {
	ast.Inspect(e.f.AST, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ArrayType:
			if n.Len != nil {
				e.fixed = append(e.fixed, e.span(n.Len))
			}
		case *ast.ValueSpec:
			if usesIota(n) {
				e.fixed = append(e.fixed, e.span(n))
			}
		case *ast.IndexExpr:
			e.nonNeg[n.Index] = true
		case *ast.SliceExpr:
			e.nonNeg[n.Low], e.nonNeg[n.High], e.nonNeg[n.Max] = true, true, true
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "make" {
				for _, a := range n.Args[1:] {
					e.nonNeg[a] = true
				}
			}
			if slices.Contains(e.inert, calleeName(n)) {
				e.skip = append(e.skip, e.span(n))
			}
		case *ast.SelectorExpr:
			if e.guard != "" && n.Sel.Name == e.guard {
				e.skip = append(e.skip, e.span(n))
			}
		case *ast.IfStmt:
			if e.guard != "" && e.onlyWhenGuardOn(n.Cond) {
				// The other terms of the condition are dead too: they
				// only matter once the switch is on.
				e.skip = append(e.skip, e.span(n.Cond), e.span(n.Body))
			}
		}
		return true
	})
}

func usesIota(v *ast.ValueSpec) bool {
	found := false
	for _, x := range v.Values {
		ast.Inspect(x, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "iota" {
				found = true
			}
			return !found
		})
	}
	return found
}

// onlyWhenGuardOn reports whether cond is a conjunction with a plain
// x.Guard.Switch among its terms, so it is false when every switch is off.
func (e *enumerator) onlyWhenGuardOn(cond ast.Expr) bool {
	cond = ast.Unparen(cond)
	if b, ok := cond.(*ast.BinaryExpr); ok && b.Op == token.LAND {
		return e.onlyWhenGuardOn(b.X) || e.onlyWhenGuardOn(b.Y)
	}
	sel, ok := cond.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	inner, ok := ast.Unparen(sel.X).(*ast.SelectorExpr)
	return ok && inner.Sel.Name == e.guard
}

func (e *enumerator) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.BinaryExpr:
		e.binary(n)
	case *ast.UnaryExpr:
		// -1 shifts to 0 and -2, not to -2 and -0.
		if lit, ok := n.X.(*ast.BasicLit); ok && n.Op == token.SUB && lit.Kind == token.INT && e.has(BoundShift) {
			e.negated[lit] = true
			e.literal(n, lit, -1)
		}
	case *ast.BasicLit:
		if e.has(BoundShift) && !e.negated[n] {
			e.literal(n, n, 1)
		}
	case *ast.ExprStmt:
		if e.has(CallDrop) {
			e.dropStmt(n)
		}
	case *ast.AssignStmt:
		if e.has(CallDrop) {
			e.dropErrCall(n)
		}
	case *ast.IfStmt:
		// Negating a plain == or != is the cmp-flip mutant again.
		if b, ok := ast.Unparen(n.Cond).(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) && e.has(CmpFlip) {
			break
		}
		if e.has(IfNegate) {
			e.add(IfNegate, n.Cond.Pos(), e.replace(n.Cond, "!("+e.text(n.Cond)+")"))
		}
	case *ast.CallExpr:
		if e.has(ArgSwap) {
			e.swapArgs(n)
		}
	}
	return true
}

var flipped = map[token.Token]token.Token{
	token.LSS: token.LEQ, token.LEQ: token.LSS,
	token.GTR: token.GEQ, token.GEQ: token.GTR,
	token.EQL: token.NEQ, token.NEQ: token.EQL,
}

func (e *enumerator) binary(b *ast.BinaryExpr) {
	to, isCmp := flipped[b.Op]
	if !isCmp {
		return
	}
	if e.has(CmpFlip) {
		start := e.off(b.OpPos)
		e.add(CmpFlip, b.OpPos, Edit{Start: start, End: start + len(b.Op.String()), New: to.String()})
	}
	// The right operand of an ordered comparison is a bound: shift it. A
	// literal is shifted by literal() wherever it stands.
	ordered := b.Op != token.EQL && b.Op != token.NEQ
	if e.has(BoundShift) && ordered && !isLiteral(b.Y) && isInteger(e.f.Info.TypeOf(b.Y)) {
		y := e.text(b.Y)
		e.add(BoundShift, b.Y.Pos(), e.replace(b.Y, "("+y+" + 1)"))
		e.add(BoundShift, b.Y.Pos(), e.replace(b.Y, "("+y+" - 1)"))
	}
}

// isLiteral reports whether x is an integer literal, maybe negated or in
// parentheses.
func isLiteral(x ast.Expr) bool {
	x = ast.Unparen(x)
	if u, ok := x.(*ast.UnaryExpr); ok && (u.Op == token.SUB || u.Op == token.ADD) {
		x = ast.Unparen(u.X)
	}
	lit, ok := x.(*ast.BasicLit)
	return ok && lit.Kind == token.INT
}

func isInteger(t types.Type) bool {
	b, ok := types.Unalias(t).Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

func isUnsigned(t types.Type) bool {
	b, ok := types.Unalias(t).Underlying().(*types.Basic)
	return ok && b.Info()&types.IsUnsigned != 0
}

// literal shifts an integer literal x (lit, times sign) by +1 and -1, not
// below zero where the type is unsigned: that would not compile.
func (e *enumerator) literal(x ast.Expr, lit *ast.BasicLit, sign int64) {
	if lit.Kind != token.INT {
		return
	}
	start := e.off(x.Pos())
	for _, r := range e.fixed {
		if r[0] <= start && start < r[1] {
			return
		}
	}
	v, err := strconv.ParseInt(lit.Value, 0, 64)
	if err != nil || v == 1<<63-1 {
		return
	}
	v *= sign
	e.add(BoundShift, x.Pos(), e.replace(x, strconv.FormatInt(v+1, 10)))
	if v > 0 || !isUnsigned(e.f.Info.TypeOf(x)) && !e.nonNeg[x] {
		e.add(BoundShift, x.Pos(), e.replace(x, strconv.FormatInt(v-1, 10)))
	}
}

// dropStmt removes a call statement. panic is kept: a panic the unmutated
// code reaches is already a failure, so dropping one is never observable
// in a passing campaign.
func (e *enumerator) dropStmt(s *ast.ExprStmt) {
	call, ok := ast.Unparen(s.X).(*ast.CallExpr)
	if !ok {
		return
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := e.f.Info.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return
		}
	}
	e.add(CallDrop, s.Pos(), e.replace(s, ""))
}

// dropErrCall turns `err := f()` or `err = f()`, where f's only result is
// an error, into `err := error(nil)`: the call is dropped and reports
// success, the usual shape of a skipped Sync or durable write.
func (e *enumerator) dropErrCall(s *ast.AssignStmt) {
	if len(s.Lhs) != 1 || len(s.Rhs) != 1 || (s.Tok != token.DEFINE && s.Tok != token.ASSIGN) {
		return
	}
	call, ok := ast.Unparen(s.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return
	}
	t := e.f.Info.TypeOf(call)
	if t == nil || !types.Identical(t, types.Universe.Lookup("error").Type()) {
		return
	}
	e.add(CallDrop, call.Pos(), e.replace(call, "error(nil)"))
}

// swapArgs swaps each pair of arguments of identical type. Conversions,
// the commutative min and max, and arguments passed as interfaces (fmt's
// ...any: they only shape messages) are left alone, as are pairs with the
// same text or the same constant value.
func (e *enumerator) swapArgs(call *ast.CallExpr) {
	if len(call.Args) < 2 {
		return
	}
	if tv, ok := e.f.Info.Types[call.Fun]; ok && tv.IsType() {
		return
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := e.f.Info.Uses[id].(*types.Builtin); ok && (b.Name() == "min" || b.Name() == "max") {
			return
		}
	}
	sig, _ := types.Unalias(e.f.Info.TypeOf(call.Fun)).Underlying().(*types.Signature)
	for i := 0; i < len(call.Args); i++ {
		for j := i + 1; j < len(call.Args); j++ {
			a, b := call.Args[i], call.Args[j]
			ta, tb := e.f.Info.TypeOf(a), e.f.Info.TypeOf(b)
			if ta == nil || tb == nil || !types.Identical(ta, tb) || e.text(a) == e.text(b) {
				continue
			}
			if isInterface(paramType(sig, i, call)) || isInterface(paramType(sig, j, call)) {
				continue
			}
			if va, vb := e.f.Info.Types[a].Value, e.f.Info.Types[b].Value; va != nil && vb != nil && constant.Compare(va, token.EQL, vb) {
				continue
			}
			e.add(ArgSwap, call.Lparen, e.replace(a, e.text(b)), e.replace(b, e.text(a)))
		}
	}
}

// paramType is the type of the parameter that argument i is passed to, or
// nil if unknown.
func paramType(sig *types.Signature, i int, call *ast.CallExpr) types.Type {
	if sig == nil {
		return nil
	}
	ps := sig.Params()
	if sig.Variadic() && i >= ps.Len()-1 {
		last := ps.At(ps.Len() - 1).Type()
		if call.Ellipsis.IsValid() {
			return last
		}
		if s, ok := last.Underlying().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i < ps.Len() {
		return ps.At(i).Type()
	}
	return nil
}

func isInterface(t types.Type) bool {
	return t != nil && types.IsInterface(t)
}
