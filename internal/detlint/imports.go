package detlint

import (
	"go/ast"
	"strconv"

	"golang.org/x/tools/go/analysis"
)

// forbiddenImport is why a package may not be imported at all, and what to
// use instead.
type forbiddenImport struct {
	rule    Rule
	instead string
}

const (
	useSingleThread = "the simulation is single-threaded; use plain fields and kernel events"
	useRngStream    = "use the internal/rng stream you were given"
	useGivenFS      = "use the vfs.FS, Env or simulated network you were given"
)

// forbiddenImports maps an import path to its rule. Packages that are
// harmless except for some of their functions (os, syscall, time,
// math/rand/v2, path/filepath) are checked per use in calls.go instead:
// os.ErrNotExist and syscall.EIO are plain values.
var forbiddenImports = map[string]forbiddenImport{
	"sync":         {RuleSync, useSingleThread},
	"sync/atomic":  {RuleSync, useSingleThread},
	"math/rand":    {RuleGlobalRand, useRngStream},
	"crypto/rand":  {RuleGlobalRand, useRngStream},
	"hash/maphash": {RuleGlobalRand, "it is seeded randomly per process; use a fixed hash such as hash/fnv or hash/crc32"},
	"os/exec":      {RuleOSAccess, useGivenFS},
	"os/signal":    {RuleOSAccess, useGivenFS},
	"os/user":      {RuleOSAccess, useGivenFS},
	"io/ioutil":    {RuleOSAccess, useGivenFS},
	"net":          {RuleOSAccess, useGivenFS},
	"net/http":     {RuleOSAccess, useGivenFS},
	"net/rpc":      {RuleOSAccess, useGivenFS},
}

// checkImports reports imports of packages the simulated world must not use.
func checkImports(pass *analysis.Pass, f *ast.File) {
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		if bad, ok := forbiddenImports[path]; ok {
			report(pass, spec.Pos(), bad.rule, "import %q: %s", path, bad.instead)
		}
	}
}
