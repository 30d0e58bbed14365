//go:build tools

// Package deps pins the project's dependencies while the packages that use
// them are being written; it is never built.
package deps

import (
	_ "github.com/anishathalye/porcupine"
	_ "github.com/cockroachdb/pebble/v2"
	_ "github.com/cockroachdb/pebble/v2/vfs"
	_ "github.com/cockroachdb/pebble/v2/vfs/errorfs"
	_ "github.com/google/btree"
	_ "github.com/stretchr/testify/require"
	_ "golang.org/x/tools/go/analysis"
	_ "golang.org/x/tools/go/analysis/analysistest"
	_ "golang.org/x/tools/go/analysis/multichecker"
	_ "golang.org/x/tools/go/packages"
	_ "pgregory.net/rapid"
)
