package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// buildID names this exact binary: the Go version and a digest of the
// executable. Replays compare it to tell "nondeterministic" (same build,
// different hash) from "the code changed" (different build).
var buildID = sync.OnceValue(func() string {
	sum := "unknown"
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				sum = fmt.Sprintf("%x", h.Sum(nil)[:6])
			}
			f.Close()
		}
	}
	return runtime.Version() + "/" + sum
})
