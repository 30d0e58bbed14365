package detlint

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// wallClock holds the functions of package time that read the real clock
// or start real timers. Types, constants and time.Time arithmetic are fine.
var wallClock = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

// randConstructors are the only package-level functions of math/rand/v2
// that do not draw from the global generator.
var randConstructors = map[string]bool{
	"NewPCG": true, "NewChaCha8": true, "New": true, "NewZipf": true,
}

// filepathDisk holds the functions of path/filepath that read the real disk
// or working directory; the rest is string manipulation.
var filepathDisk = map[string]bool{
	"Walk": true, "WalkDir": true, "Glob": true, "EvalSymlinks": true, "Abs": true,
}

// osHandles are the os types whose methods perform real I/O.
var osHandles = map[string]bool{"File": true, "Process": true, "Root": true}

// checkCalls reports uses of forbidden functions and variables of packages
// that are otherwise allowed (time, math/rand/v2, os, syscall, path/filepath). A
// reference such as "clock := time.Now" counts like a call.
func checkCalls(pass *analysis.Pass, f *ast.File) {
	seen := map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr: // time.Now, r.IntN: report at the start of the expression
			seen[n.Sel] = true
			checkUse(pass, n.Sel, n.Pos())
		case *ast.Ident: // a dot-imported Now
			if !seen[n] {
				checkUse(pass, n, n.Pos())
			}
		}
		return true
	})
}

func checkUse(pass *analysis.Pass, id *ast.Ident, pos token.Pos) {
	obj := pass.TypesInfo.Uses[id]
	if obj == nil || obj.Pkg() == nil {
		return
	}
	pkg, name := obj.Pkg().Path(), obj.Name()
	switch obj := obj.(type) {
	case *types.Func:
		recv := receiverName(obj)
		switch {
		case pkg == "time" && recv == "" && wallClock[name]:
			report(pass, pos, RuleWallClock, "time.%s uses the wall clock; use the simulated clock and timers from the Env / kernel", name)
		case pkg == "math/rand/v2" && recv == "" && !randConstructors[name]:
			report(pass, pos, RuleGlobalRand, "rand.%s draws from the global generator; use the internal/rng stream you were given", name)
		case pkg == "math/rand/v2" && recv == "Rand":
			report(pass, pos, RuleGlobalRand, "(*rand.Rand).%s may change its algorithm between Go releases, so a seed would not replay; use the internal/rng stream helpers (Below, Range, Float, Shuffle)", name)
		case pkg == "os" && (recv == "" || osHandles[recv]):
			report(pass, pos, RuleOSAccess, "%s touches the real OS; use the vfs.FS or Env you were given", qualified("os", recv, name))
		case pkg == "syscall" && recv == "":
			report(pass, pos, RuleOSAccess, "syscall.%s touches the real OS; use the vfs.FS or Env you were given (errno values are fine)", name)
		case pkg == "path/filepath" && recv == "" && filepathDisk[name]:
			report(pass, pos, RuleOSAccess, "filepath.%s reads the real disk; use the vfs.FS you were given (List, Stat)", name)
		}
	case *types.Var:
		// os.Args, os.Stdin, os.Stdout, os.Stderr; error values are fine.
		if pkg == "os" && obj.Parent() == obj.Pkg().Scope() && !strings.HasPrefix(name, "Err") {
			report(pass, pos, RuleOSAccess, "os.%s is process state; take input through the Env and leave user output to cmd/", name)
		}
	}
}

// receiverName returns the name of a method's receiver type, or "" for a
// package-level function.
func receiverName(fn *types.Func) string {
	recv := fn.Signature().Recv()
	if recv == nil {
		return ""
	}
	t := types.Unalias(recv.Type())
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	if named, ok := t.(*types.Named); ok {
		return named.Obj().Name()
	}
	return ""
}

func qualified(pkg, recv, name string) string {
	if recv == "" {
		return pkg + "." + name
	}
	return "(*" + pkg + "." + recv + ")." + name
}
