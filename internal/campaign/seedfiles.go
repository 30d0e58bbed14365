package campaign

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

// BuildID names this exact binary: the Go version and a digest of the
// executable. Replays compare it to tell "nondeterministic" (same build,
// different hash) from "the code changed" (different build).
var BuildID = sync.OnceValue(func() string {
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

// FileOf describes a failing run as a seed file.
func FileOf(res *scenarios.Result, base uint64, shard string) *seedfile.File {
	v := res.First()
	f := &seedfile.File{
		Build: BuildID(), Scenario: res.Scenario, Seed: res.Seed, Bug: res.Bug, Monitors: res.Monitors, NoPageRepair: res.NoPageRepair,
		Collectors: &res.Collectors, Base: base, Shard: shard, Plan: res.Plan,
		Failure:   seedfile.Failure{Check: v.Checker, Reason: v.String()},
		TraceHash: fmt.Sprintf("%016x", res.TraceHash),
	}
	if w := res.Workload; w != nil && (w.Clients != harness.DefaultClients || len(w.MaxOps) > 0) {
		f.Workload = &harness.Workload{Clients: w.Clients, MaxOps: w.MaxOps}
	}
	return f
}

// fileName is where a campaign saves a failing seed.
func fileName(scenario string, bug node.Bug, seed uint64) string {
	b := string(bug)
	if b == "" {
		b = "nobug"
	}
	return fmt.Sprintf("%s-%s-%d.json", scenario, b, seed)
}
