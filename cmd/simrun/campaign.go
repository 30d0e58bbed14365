package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/seedfile"
	"github.com/monsim/monsim/scenarios"
)

// campaign runs many seeds of some scenarios on several workers. It is the
// only place where monsim runs in parallel: each simulation stays
// single-threaded and shares nothing with the others.
type campaign struct {
	scenarios []*scenarios.Scenario
	opts      scenarios.Options // bug and monitors; the seed is set per run
	base      uint64
	shard     int // this process runs seeds with index ≡ shard (mod shards)
	shards    int
	seeds     int           // per scenario; 0 means until the duration ends
	duration  time.Duration // 0 means until every scenario ran seeds seeds
	workers   int
	corpus    string // directory for failing seed files; "" keeps none
	// onSeed sees every finished seed, in completion order, on one goroutine.
	onSeed func(seedOutcome)
}

// seedOutcome is one finished seed.
type seedOutcome struct {
	scenario string
	seed     uint64
	res      *scenarios.Result
	wall     time.Duration
	// For failures: whether a second run gave the same trace hash, and
	// where the seed file went.
	replayHash uint64
	saved      string
	saveErr    error
}

func (o *seedOutcome) deterministic() bool { return o.replayHash == o.res.TraceHash }

// summary aggregates one scenario's seeds.
type summary struct {
	scenario   string
	seeds      int
	violations int
	liveness   int
	unknown    int
	nondet     int
	counters   harness.Counters
	simTime    int64
	wall       time.Duration
}

func (s *summary) add(o *seedOutcome) {
	s.seeds++
	s.wall += o.wall
	s.simTime += o.res.SimTime
	for _, n := range o.res.Counters.Names() {
		s.counters[n] += o.res.Counters[n]
	}
	switch {
	case o.res.Failed() && !o.deterministic():
		s.nondet++
	case o.res.Failed() && o.res.First().Checker == checker.NameLiveness:
		s.liveness++
	case o.res.Failed():
		s.violations++
	case o.res.Unknown != "":
		s.unknown++
	}
}

type job struct {
	sc  *scenarios.Scenario
	idx int // per-scenario index
}

// seedOf maps a per-scenario index to a seed, disjoint across shards.
func (c *campaign) seedOf(idx int) uint64 {
	return c.base + uint64(idx)*uint64(c.shards) + uint64(c.shard)
}

// run executes the campaign until its seeds or duration are used up or ctx
// is cancelled, and returns a summary per scenario in catalog order.
func (c *campaign) run(ctx context.Context) []*summary {
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	jobs := make(chan job)
	outcomes := make(chan seedOutcome)
	var wg sync.WaitGroup
	for range max(c.workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				outcomes <- c.runOne(j)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := 0; c.seeds == 0 || i < c.seeds*len(c.scenarios); i++ {
			j := job{sc: c.scenarios[i%len(c.scenarios)], idx: i / len(c.scenarios)}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(outcomes) }()

	sums := make([]*summary, len(c.scenarios))
	byName := map[string]*summary{}
	for i, sc := range c.scenarios {
		sums[i] = &summary{scenario: sc.Name, counters: harness.Counters{}}
		byName[sc.Name] = sums[i]
	}
	for o := range outcomes {
		byName[o.scenario].add(&o)
		if c.onSeed != nil {
			c.onSeed(o)
		}
	}
	return sums
}

// runOne runs a seed; a failure is run again to confirm it replays, then
// saved.
func (c *campaign) runOne(j job) seedOutcome {
	opts := c.opts
	opts.Seed = c.seedOf(j.idx)
	start := time.Now()
	res := j.sc.Run(opts)
	o := seedOutcome{scenario: j.sc.Name, seed: opts.Seed, res: res, wall: time.Since(start), replayHash: res.TraceHash}
	if !res.Failed() {
		return o
	}
	o.replayHash = j.sc.Run(opts).TraceHash
	if c.corpus != "" && o.deterministic() {
		o.saved = filepath.Join(c.corpus, fmt.Sprintf("%s-%s-%d.json", j.sc.Name, bugOrNone(string(opts.Bug)), opts.Seed))
		o.saveErr = seedfile.Write(o.saved, seedFileOf(res, c.base, fmt.Sprintf("%d/%d", c.shard, c.shards)))
	}
	return o
}

func bugOrNone(b string) string {
	if b == "" {
		return "nobug"
	}
	return b
}
