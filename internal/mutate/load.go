package mutate

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Load parses and type-checks the packages that patterns name (e.g.
// ./node/...), resolved in the module at root, and returns their non-test
// .go files sorted by path. Dependencies come from export data, so only
// the named packages are parsed.
func Load(root string, patterns []string) (*token.FileSet, []*File, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
			packages.NeedTypes | packages.NeedTypesInfo,
		Dir:  abs,
		Fset: fset,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, nil, err
	}
	var files []*File
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, nil, fmt.Errorf("%s: %v", p.PkgPath, p.Errors[0])
		}
		for _, f := range p.Syntax {
			name := fset.Position(f.Pos()).Filename
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			rel, err := filepath.Rel(abs, name)
			if err != nil || strings.HasPrefix(rel, "..") {
				return nil, nil, fmt.Errorf("%s is outside the module at %s", name, abs)
			}
			src, err := os.ReadFile(name)
			if err != nil {
				return nil, nil, err
			}
			files = append(files, &File{Rel: filepath.ToSlash(rel), Src: src, AST: f, Info: p.TypesInfo})
		}
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no Go files in %s", strings.Join(patterns, " "))
	}
	slices.SortFunc(files, func(a, b *File) int { return strings.Compare(a.Rel, b.Rel) })
	return fset, files, nil
}
