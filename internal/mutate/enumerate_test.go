package mutate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/stretchr/testify/require"
)

// snippet parses and type-checks one file of package p (no imports).
func snippet(t *testing.T, src string) (*token.FileSet, *File) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	require.NoError(t, err)
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
	_, err = (&types.Config{}).Check("p", fset, []*ast.File{f}, info)
	require.NoError(t, err)
	return fset, &File{Rel: "p/x.go", Src: []byte(src), AST: f, Info: info}
}

// render lists mutants as "id  old => new".
func render(ms []Mutant, src []byte) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID()+"  "+m.OneLine(src))
	}
	return out
}

func TestOperators(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ops   []Op
		guard string
		src   string
		want  []string
	}{{
		name: "cmp-flip",
		ops:  []Op{CmpFlip},
		src: `package p

func f(a, b int) bool {
	x := a < b
	y := a >= b
	return x && y && a == b || a != b
}
`,
		want: []string{
			"p/x.go:4:9:cmp-flip:0  x := a < b => x := a <= b",
			"p/x.go:5:9:cmp-flip:0  y := a >= b => y := a > b",
			"p/x.go:6:21:cmp-flip:0  return x && y && a == b || a != b => return x && y && a != b || a != b",
			"p/x.go:6:31:cmp-flip:0  return x && y && a == b || a != b => return x && y && a == b || a == b",
		},
	}, {
		name: "bound-shift",
		ops:  []Op{BoundShift},
		src: `package p

const (
	k0 = iota + 1
	k1
)

var arr [4]byte

func f(n int, u uint, s []int) int {
	if n < len(s) {
		return s[0] + 3
	}
	if u > 0 && n == -1 {
		return 0
	}
	return n
}
`,
		// Not shifted: the iota enumeration, the array length, 0 below
		// zero as an index or an unsigned value, the operand of ==.
		want: []string{
			"p/x.go:11:9:bound-shift:0  if n < len(s) { => if n < (len(s) + 1) {",
			"p/x.go:11:9:bound-shift:1  if n < len(s) { => if n < (len(s) - 1) {",
			"p/x.go:12:12:bound-shift:0  return s[0] + 3 => return s[1] + 3",
			"p/x.go:12:17:bound-shift:0  return s[0] + 3 => return s[0] + 4",
			"p/x.go:12:17:bound-shift:1  return s[0] + 3 => return s[0] + 2",
			"p/x.go:14:9:bound-shift:0  if u > 0 && n == -1 { => if u > 1 && n == -1 {",
			"p/x.go:14:19:bound-shift:0  if u > 0 && n == -1 { => if u > 0 && n == 0 {",
			"p/x.go:14:19:bound-shift:1  if u > 0 && n == -1 { => if u > 0 && n == -2 {",
			"p/x.go:15:10:bound-shift:0  return 0 => return 1",
			"p/x.go:15:10:bound-shift:1  return 0 => return -1",
		},
	}, {
		name: "call-drop",
		ops:  []Op{CallDrop},
		src: `package p

type file struct{}

func (file) Sync() error                  { return nil }
func (file) Write(b []byte) (int, error) { return len(b), nil }

func f(fl file, b []byte) error {
	fl.Write(b)
	if err := fl.Sync(); err != nil {
		return err
	}
	var err error
	err = fl.Sync()
	n, err := fl.Write(b)
	_ = n
	panic(err)
}
`,
		// Not dropped: a call with two results, panic.
		want: []string{
			"p/x.go:9:2:call-drop:0  fl.Write(b) => (nothing)",
			"p/x.go:10:12:call-drop:0  if err := fl.Sync(); err != nil { => if err := error(nil); err != nil {",
			"p/x.go:14:8:call-drop:0  err = fl.Sync() => err = error(nil)",
		},
	}, {
		name: "if-negate",
		ops:  []Op{IfNegate},
		src: `package p

func f(a, b int, ok bool) int {
	if a < b {
		return 1
	} else if ok {
		return 2
	}
	if a == b {
		return 3
	}
	return 0
}
`,
		want: []string{
			"p/x.go:4:5:if-negate:0  if a < b { => if !(a < b) {",
			"p/x.go:6:12:if-negate:0  } else if ok { => } else if !(ok) {",
			"p/x.go:9:5:if-negate:0  if a == b { => if !(a == b) {",
		},
	}, {
		name: "if-negate leaves == to cmp-flip",
		ops:  []Op{CmpFlip, IfNegate},
		src: `package p

func f(a, b int) int {
	if a == b {
		return 3
	}
	return 0
}
`,
		want: []string{
			"p/x.go:4:7:cmp-flip:0  if a == b { => if a != b {",
		},
	}, {
		name: "arg-swap",
		ops:  []Op{ArgSwap},
		src: `package p

func g(a, b int, s string, c int) {}
func h(format string, args ...any) {}

func f(x, y int) {
	g(x, y, "s", x+y)
	g(x, x, "s", 1)
	h("%d %d", x, y)
	_ = min(x, y)
	_ = int64(x)
}
`,
		// Not swapped: equal text, arguments passed as interfaces, min,
		// conversions.
		want: []string{
			`p/x.go:7:3:arg-swap:0  g(x, y, "s", x+y) => g(y, x, "s", x+y)`,
			`p/x.go:7:3:arg-swap:1  g(x, y, "s", x+y) => g(x+y, y, "s", x)`,
			`p/x.go:7:3:arg-swap:2  g(x, y, "s", x+y) => g(x, x+y, "s", y)`,
			`p/x.go:8:3:arg-swap:0  g(x, x, "s", 1) => g(1, x, "s", x)`,
			`p/x.go:8:3:arg-swap:1  g(x, x, "s", 1) => g(x, 1, "s", x)`,
		},
	}, {
		name:  "planted-bug guard",
		guard: "Bugs",
		src: `package p

type Bugs struct{ X bool }
type cfg struct{ Bugs Bugs }

func f(c cfg, a, b int) int {
	if c.Bugs.X && a < b {
		return a + 1
	}
	if a > b && !c.Bugs.X {
		return b
	}
	return 0
}
`,
		// The first if runs only with the bug on: nothing in it is
		// mutated. The second is live, but its switch is not flipped.
		want: []string{
			"p/x.go:10:7:cmp-flip:0  if a > b && !c.Bugs.X { => if a >= b && !c.Bugs.X {",
			"p/x.go:10:9:bound-shift:0  if a > b && !c.Bugs.X { => if a > (b + 1) && !c.Bugs.X {",
			"p/x.go:10:9:bound-shift:1  if a > b && !c.Bugs.X { => if a > (b - 1) && !c.Bugs.X {",
			"p/x.go:13:9:bound-shift:0  return 0 => return 1",
			"p/x.go:13:9:bound-shift:1  return 0 => return -1",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			fset, f := snippet(t, tc.src)
			got := Enumerate(fset, []*File{f}, Options{Ops: tc.ops, Guard: tc.guard})
			require.Equal(t, tc.want, render(got, f.Src))
		})
	}
}

func TestMutantsCompileAsExpected(t *testing.T) {
	// Each operator aims at mutants that still compile: every mutant of
	// this snippet must type-check.
	src := `package p

func g(a, b int) int { return a - b }

func f(a, b int, s []int) int {
	if a < len(s) && g(a, b) == 2 {
		g(b, a)
	}
	return s[1]
}
`
	fset, f := snippet(t, src)
	for _, m := range Enumerate(fset, []*File{f}, Options{}) {
		mutated := m.Apply(f.Src)
		fs2 := token.NewFileSet()
		af, err := parser.ParseFile(fs2, "x.go", mutated, 0)
		require.NoError(t, err, m.ID())
		_, err = (&types.Config{}).Check("p", fs2, []*ast.File{af}, nil)
		require.NoError(t, err, "%s:\n%s", m.ID(), mutated)
	}
}

func TestDiff(t *testing.T) {
	src := "package p\n\nfunc f(a, b int) bool {\n\tx := a < b\n\treturn x\n}\n"
	fset, f := snippet(t, src)
	ms := Enumerate(fset, []*File{f}, Options{Ops: []Op{CmpFlip}})
	require.Len(t, ms, 1)
	require.Equal(t, `--- a/p/x.go
+++ b/p/x.go
@@ -2,5 +2,5 @@
 
 func f(a, b int) bool {
-	x := a < b
+	x := a <= b
 	return x
 }
`, ms[0].Diff(f.Src))
	require.Equal(t, "package p\n\nfunc f(a, b int) bool {\n\tx := a <= b\n\treturn x\n}\n", string(ms[0].Apply(f.Src)))
}

// TestEnumerationIsStable loads the real monitor twice: the same ids in the
// same order, each id once.
func TestEnumerationIsStable(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks node/")
	}
	ids := func() []string {
		fset, files, err := Load("../..", []string{"./node/..."})
		require.NoError(t, err)
		var out []string
		for _, m := range Enumerate(fset, files, Options{Guard: "Bugs"}) {
			out = append(out, m.ID())
		}
		return out
	}
	a, b := ids(), ids()
	require.NotEmpty(t, a)
	require.Equal(t, a, b)
	seen := map[string]bool{}
	for _, id := range a {
		require.False(t, seen[id], "duplicate id %s", id)
		seen[id] = true
		require.NotContains(t, id, "_test.go")
	}
}

func TestParseOps(t *testing.T) {
	ops, err := ParseOps("")
	require.NoError(t, err)
	require.Equal(t, AllOps, ops)
	ops, err = ParseOps("arg-swap, cmp-flip,arg-swap")
	require.NoError(t, err)
	require.Equal(t, []Op{ArgSwap, CmpFlip}, ops)
	_, err = ParseOps("cmp-flip,nope")
	require.ErrorContains(t, err, `unknown operator "nope"`)
}

// Calls named inert are neither dropped nor have their arguments mutated;
// everything else around them still is.
func TestInertCallsAreLeftAlone(t *testing.T) {
	src := `package p

type env struct{}

func (env) Point(string)      {}
func corruptf(s string, n int) {}
func sync() error            { return nil }

func f(e env, n int) {
	e.Point("step")
	corruptf("bad", n+1)
	_ = sync()
}
`
	fset, f := snippet(t, src)
	got := render(Enumerate(fset, []*File{f}, Options{Ops: AllOps, Inert: []string{"Point", "corruptf"}}), f.Src)
	for _, line := range got {
		require.NotContains(t, line, "Point", line)
		require.NotContains(t, line, "corruptf", line)
	}
	require.NotEmpty(t, got, "the sync call is still mutated")
}
