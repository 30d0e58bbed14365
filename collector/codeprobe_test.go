package collector

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every code probe is reached at exactly one place, the one its Where
// names, and every place that reports a probe reports a listed one.
func TestEveryCodeProbeLivesWhereItSays(t *testing.T) {
	sites := map[string][]string{} // probe constant -> "collector/file.go Func"
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "reached" {
					id, ok := call.Args[0].(*ast.Ident)
					require.True(t, ok, "%s: %s reports a probe that is not a named constant", path, fn.Name.Name)
					sites[id.Name] = append(sites[id.Name], "collector/"+path+" "+fn.Name.Name)
				}
				return true
			})
		}
	}
	names := map[string]string{}
	f, err := parser.ParseFile(token.NewFileSet(), "codeprobe.go", nil, 0)
	require.NoError(t, err)
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				names[strings.Trim(lit.Value, `"`)] = vs.Names[0].Name
			}
		}
		return true
	})
	for _, info := range CodeProbes() {
		c, ok := names[string(info.Probe)]
		require.True(t, ok, "probe %s has no constant", info.Probe)
		require.Equal(t, []string{info.Where}, sites[c], "probe %s (%s)", info.Probe, c)
		require.NotEmpty(t, info.Means)
		delete(sites, c)
	}
	require.Empty(t, sites, "reported probes missing from CodeProbes()")
}
