package campaign

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

// Fuzz is a campaign: many seeds of some scenarios on the pool. A failing
// seed is run a second time to confirm it replays with the same trace hash,
// and then saved.
type Fuzz struct {
	Scenarios []*scenarios.Scenario
	Opts      scenarios.Options // bug and monitors; the seed is set per run
	Base      uint64
	Shard     int // this process runs seeds with index ≡ Shard (mod Shards)
	Shards    int
	Seeds     int           // per scenario; 0 means until Duration ends
	Duration  time.Duration // 0 means until every scenario ran Seeds seeds
	Pool      Pool
	Corpus    string // directory for failing seed files; "" keeps none
	// OnSeed sees every finished seed, in completion order, on the
	// goroutine that called Run.
	OnSeed func(Outcome)
}

// Outcome is one finished seed.
type Outcome struct {
	Scenario string
	Seed     uint64
	Res      *scenarios.Result
	Wall     time.Duration
	// For failures: the trace hash a second run gave, and where the seed
	// file went.
	ReplayHash uint64
	Saved      string
	SaveErr    error
}

// Deterministic says whether a second run gave the same trace hash.
func (o *Outcome) Deterministic() bool { return o.ReplayHash == o.Res.TraceHash }

// Summary aggregates one scenario's seeds.
type Summary struct {
	Scenario   string
	Seeds      int
	Violations int
	Liveness   int
	Unknown    int
	Nondet     int
	Counters   harness.Counters
	Probes     harness.Counters // code probes reached, by name
	SimTime    int64
	Wall       time.Duration
}

func (s *Summary) add(o *Outcome) {
	s.Seeds++
	s.Wall += o.Wall
	s.SimTime += o.Res.SimTime
	for _, n := range o.Res.Counters.Names() {
		s.Counters[n] += o.Res.Counters[n]
	}
	for _, n := range o.Res.Probes.Names() {
		s.Probes[n] += o.Res.Probes[n]
	}
	switch {
	case o.Res.Failed() && !o.Deterministic():
		s.Nondet++
	case o.Res.Failed() && o.Res.First().Checker == checker.NameLiveness:
		s.Liveness++
	case o.Res.Failed():
		s.Violations++
	case o.Res.Unknown != "":
		s.Unknown++
	}
}

// Failed says whether any seed of the scenario failed.
func (s *Summary) Failed() bool { return s.Violations+s.Liveness+s.Nondet > 0 }

// NeverReached lists the code probes no seed of any summary reached, in
// catalog order.
func NeverReached(sums []*Summary) []node.CodeProbeInfo {
	var out []node.CodeProbeInfo
	for _, p := range harness.CodeProbes() {
		hit := false
		for _, s := range sums {
			hit = hit || s.Probes[string(p.Probe)] > 0
		}
		if !hit {
			out = append(out, p)
		}
	}
	return out
}

// SeedOf maps a per-scenario index to a seed, disjoint across shards.
func (c *Fuzz) SeedOf(idx int) uint64 {
	return c.Base + uint64(idx)*uint64(max(c.Shards, 1)) + uint64(c.Shard)
}

// Run executes the campaign until its seeds or duration are used up or ctx
// is cancelled, and returns a summary per scenario in catalog order.
func (c *Fuzz) Run(ctx context.Context) []*Summary {
	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	sums := make([]*Summary, len(c.Scenarios))
	byName := map[string]*Summary{}
	for i, sc := range c.Scenarios {
		sums[i] = &Summary{Scenario: sc.Name, Counters: harness.Counters{}, Probes: harness.Counters{}}
		byName[sc.Name] = sums[i]
	}
	n := len(c.Scenarios)
	job := func(i int) (func() Outcome, bool) {
		if c.Seeds > 0 && i >= c.Seeds*n {
			return nil, false
		}
		sc, idx := c.Scenarios[i%n], i/n
		return func() Outcome { return c.runOne(sc, idx) }, true
	}
	Stream(ctx, c.Pool, job, func(o Outcome) {
		byName[o.Scenario].add(&o)
		if c.OnSeed != nil {
			c.OnSeed(o)
		}
	})
	return sums
}

// runOne runs a seed; a failure is run again to confirm it replays, then
// saved.
func (c *Fuzz) runOne(sc *scenarios.Scenario, idx int) Outcome {
	opts := c.Opts
	opts.Seed = c.SeedOf(idx)
	start := time.Now()
	res := sc.Run(opts)
	o := Outcome{Scenario: sc.Name, Seed: opts.Seed, Res: res, Wall: time.Since(start), ReplayHash: res.TraceHash}
	if !res.Failed() {
		return o
	}
	o.ReplayHash = sc.Run(opts).TraceHash
	if c.Corpus != "" && o.Deterministic() {
		o.Saved = filepath.Join(c.Corpus, fileName(sc.Name, opts.Bug, opts.Seed))
		o.SaveErr = seedfile.Write(o.Saved, FileOf(res, c.Base, fmt.Sprintf("%d/%d", c.Shard, max(c.Shards, 1))))
	}
	return o
}
