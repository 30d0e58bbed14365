// Command detlint runs the determinism lint (internal/detlint) over the
// simulated world's packages and prints one line per finding:
//
//	file:line:col: <rule>: <what to use instead>
//
// Usage, from the repository root:
//
//	go run ./cmd/detlint [packages]   (default ./...)
//
// Packages outside the simulated world are skipped before they are even
// type-checked, so a broken command or tool does not stop the lint.
//
// Exit status: 0 clean, 1 findings, 2 a usage error or an in-scope package
// that could not be loaded or type-checked (its findings are still printed,
// but the result may be incomplete).
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/monsim/monsim/internal/detlint"
)

// Exit codes.
const (
	exitClean    = 0
	exitFindings = 1
	exitBroken   = 2
)

func main() {
	os.Exit(run(os.Args[1:], ".", os.Stdout, os.Stderr))
}

// run lints the packages that args name, resolved from dir, and returns the
// exit status.
func run(args []string, dir string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("detlint", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: detlint [packages]   (default ./...)")
	}
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return exitClean
	} else if err != nil {
		return exitBroken
	}
	patterns := flags.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintln(stderr, "detlint:", err)
		return exitBroken
	}

	pkgs, unresolved, err := loadInScope(absDir, patterns)
	if err != nil {
		fmt.Fprintln(stderr, "detlint:", err)
		return exitBroken
	}
	broken := false
	for _, pkg := range append(unresolved, pkgs...) {
		for _, e := range pkg.Errors {
			fmt.Fprintln(stderr, "detlint:", relativize(absDir, errText(e)))
			broken = true
		}
	}
	findings, err := analyze(pkgs)
	if err != nil {
		fmt.Fprintln(stderr, "detlint:", err)
		broken = true
	}
	for _, f := range findings {
		fmt.Fprintln(stdout, relativize(absDir, f))
	}
	switch {
	case broken:
		return exitBroken
	case len(findings) > 0:
		return exitFindings
	default:
		return exitClean
	}
}

// loadInScope lists the packages matching patterns and loads, with syntax
// and types, only those in the simulated world. Listing first keeps the
// lint fast and immune to compile errors elsewhere in the tree. Patterns
// that name no package of the module come back as unresolved, so a typo
// is an error rather than a silent pass.
func loadInScope(dir string, patterns []string) (pkgs, unresolved []*packages.Package, err error) {
	listed, err := packages.Load(&packages.Config{Mode: packages.NeedName, Dir: dir}, patterns...)
	if err != nil {
		return nil, nil, err
	}
	var paths []string
	for _, pkg := range listed {
		switch {
		case detlint.InScope(pkg.PkgPath):
			paths = append(paths, pkg.PkgPath)
		case len(pkg.Errors) > 0 && !strings.HasPrefix(pkg.PkgPath, detlint.Module):
			unresolved = append(unresolved, pkg)
		}
	}
	if len(paths) == 0 {
		return nil, unresolved, nil
	}
	pkgs, err = packages.Load(&packages.Config{Mode: packages.LoadSyntax | packages.NeedModule, Dir: dir}, paths...)
	return pkgs, unresolved, err
}

// analyze runs the analyzer and returns its findings as sorted
// "file:line:col: message" lines with absolute file names.
func analyze(pkgs []*packages.Package) ([]string, error) {
	if len(pkgs) == 0 {
		return nil, nil
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{detlint.Analyzer}, pkgs, nil)
	if err != nil {
		return nil, err
	}
	type finding struct {
		file      string
		line, col int
		message   string
	}
	var found []finding
	var errs []error
	for _, act := range graph.Roots {
		if act.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", act.Package.PkgPath, act.Err))
			continue
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			found = append(found, finding{pos.Filename, pos.Line, pos.Column, d.Message})
		}
	}
	slices.SortFunc(found, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line),
			cmp.Compare(a.col, b.col), cmp.Compare(a.message, b.message))
	})
	lines := make([]string, 0, len(found))
	for _, f := range found {
		lines = append(lines, fmt.Sprintf("%s:%d:%d: %s", f.file, f.line, f.col, f.message))
	}
	return slices.Compact(lines), errors.Join(errs...)
}

// errText is a load error as "pos: msg", or just msg where go list gave no
// position.
func errText(e packages.Error) string {
	if e.Pos == "" || e.Pos == "-" {
		return e.Msg
	}
	return e.Pos + ": " + e.Msg
}

// relativize shortens a message that starts with a file under dir to a
// path relative to dir, the form editors and humans expect.
func relativize(dir, msg string) string {
	prefix := dir + string(filepath.Separator)
	if rest, ok := strings.CutPrefix(msg, prefix); ok {
		return filepath.ToSlash(rest)
	}
	return msg
}
