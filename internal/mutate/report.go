package mutate

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Report is a finished (or interrupted) mutation run.
type Report struct {
	Command      string            // how the run was started
	Oracle       string            // the oracle command, for the reader
	Enumerated   []Mutant          // every mutant of the source
	Sample       string            // how the judged mutants were chosen, e.g. "-n 100 -seed 1"
	SurvivorTime time.Duration     // 0: survivors were not re-run
	Results      []Result          // one per sampled mutant, equivalents included
	Equivalent   map[string]string // id -> argument, from the equivalence list
	Stale        []string          // listed ids that no mutant has any more
	Sources      map[string][]byte // file -> unmutated text, for the diffs
	Wall         time.Duration
	Interrupted  bool
}

// Counts are the totals the score is made of.
type Counts struct {
	Killed, Survived, NotViable, Equivalent, Aborted int
}

// Viable counts the mutants that compiled, equivalents included.
func (c Counts) Viable() int { return c.Killed + c.Survived + c.Equivalent }

// Score is killed / (viable - equivalent), in [0, 1]; 0 with nothing judged.
func (c Counts) Score() float64 {
	if d := c.Viable() - c.Equivalent; d > 0 {
		return float64(c.Killed) / float64(d)
	}
	return 0
}

// Counts totals the results.
func (r *Report) Counts() Counts {
	var c Counts
	for _, res := range r.Results {
		switch res.Status {
		case Killed:
			c.Killed++
		case Survived:
			c.Survived++
		case NotViable:
			c.NotViable++
		case Equivalent:
			c.Equivalent++
		case Aborted:
			c.Aborted++
		}
	}
	return c
}

// Survivors are the surviving mutants' results, in source order.
func (r *Report) Survivors() []Result { return r.with(Survived) }

func (r *Report) with(s Status) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == s {
			out = append(out, res)
		}
	}
	return out
}

// WriteMarkdown writes the report: the score first, then every survivor
// with its diff (what a test must learn to catch), then the kills.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	c := r.Counts()
	fmt.Fprintf(&b, "# Mutation report\n\n")
	if r.Interrupted {
		fmt.Fprintf(&b, "**Interrupted**: the counts cover the mutants judged before the stop.\n\n")
	}
	fmt.Fprintf(&b, "- command: `%s`\n", r.Command)
	fmt.Fprintf(&b, "- oracle: `%s`\n", r.Oracle)
	fmt.Fprintf(&b, "- mutants: %d enumerated (%s); %d judged (%s)\n", len(r.Enumerated), opCounts(r.Enumerated), len(r.Results), r.Sample)
	fmt.Fprintf(&b, "- killed %d, survived %d, not viable %d, equivalent (listed) %d", c.Killed, c.Survived, c.NotViable, c.Equivalent)
	if c.Aborted > 0 {
		fmt.Fprintf(&b, ", not judged %d", c.Aborted)
	}
	fmt.Fprintf(&b, "\n- **score: %d / (%d viable - %d equivalent) = %.1f%%**\n", c.Killed, c.Viable(), c.Equivalent, 100*c.Score())
	if r.SurvivorTime > 0 {
		fmt.Fprintf(&b, "- survivors re-run for %s each: %d killed on the re-run\n", r.SurvivorTime, countRerunKills(r.Results))
	} else {
		fmt.Fprintf(&b, "- survivors were not re-run with a longer campaign\n")
	}
	fmt.Fprintf(&b, "- %s\n", r.timing())

	fmt.Fprintf(&b, "\n## Kills by checker\n\n| killed by | mutants |\n|---|---|\n")
	for _, kv := range r.killsBy() {
		fmt.Fprintf(&b, "| %s | %d |\n", kv.name, kv.n)
	}

	surv := r.Survivors()
	fmt.Fprintf(&b, "\n## Survivors (%d)\n\n", len(surv))
	for i, res := range surv {
		m := res.Mutant
		src := r.Sources[m.File]
		fmt.Fprintf(&b, "### %d. %s:%d %s\n\n`%s`  \n`%s`\n\n```diff\n%s```\n\n", i+1, m.File, m.Line, m.Op, m.ID(), m.OneLine(src), m.Diff(src))
	}

	fmt.Fprintf(&b, "## Killed (%d)\n\n| mutant | change | killed by | first failing seed | time to kill |\n|---|---|---|---|---|\n", c.Killed)
	for _, res := range r.with(Killed) {
		seed := "-"
		if res.HasSeed {
			seed = fmt.Sprintf("%s %d", res.Scenario, res.Seed)
		}
		by := res.Reason
		if res.Detail != "" {
			by += ": " + res.Detail
		}
		if res.Rerun {
			by += " (re-run)"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %.1fs |\n", res.Mutant.ID(), cell(res.Mutant.OneLine(r.Sources[res.Mutant.File])), cell(by), seed, res.ToKill.Seconds())
	}

	fmt.Fprintf(&b, "\n## Not viable (%d)\n\n| mutant | compile error |\n|---|---|\n", c.NotViable)
	for _, res := range r.with(NotViable) {
		fmt.Fprintf(&b, "| `%s` | %s |\n", res.Mutant.ID(), cell(res.Detail))
	}
	fmt.Fprintf(&b, "\n## Equivalent, listed (%d)\n\n| mutant | argument |\n|---|---|\n", c.Equivalent)
	for _, res := range r.with(Equivalent) {
		fmt.Fprintf(&b, "| `%s` | %s |\n", res.Mutant.ID(), cell(r.Equivalent[res.Mutant.ID()]))
	}
	if len(r.Stale) > 0 {
		fmt.Fprintf(&b, "\n## Stale equivalence entries\n\nThese ids name no mutant of the current source (the code moved or changed); re-check them.\n\n")
		for _, id := range r.Stale {
			fmt.Fprintf(&b, "- `%s`\n", id)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func opCounts(ms []Mutant) string {
	n := map[Op]int{}
	for _, m := range ms {
		n[m.Op]++
	}
	var parts []string
	for _, op := range AllOps {
		parts = append(parts, fmt.Sprintf("%s %d", op, n[op]))
	}
	return strings.Join(parts, ", ")
}

func countRerunKills(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Rerun && r.Status == Killed {
			n++
		}
	}
	return n
}

// timing summarises the time spent per mutant.
func (r *Report) timing() string {
	var build, run, kill []time.Duration
	for _, res := range r.Results {
		if res.Status == Killed || res.Status == Survived || res.Status == NotViable {
			build = append(build, res.Build)
		}
		if res.Status == Killed || res.Status == Survived {
			run = append(run, res.Run)
		}
		if res.Status == Killed {
			kill = append(kill, res.ToKill)
		}
	}
	return fmt.Sprintf("wall %s; per mutant: build mean %s, oracle mean %s; time to kill median %s, max %s",
		r.Wall.Round(time.Second), mean(build), mean(run), quantile(kill, 0.5), quantile(kill, 1))
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return (s / time.Duration(len(ds))).Round(100 * time.Millisecond)
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))].Round(100 * time.Millisecond)
}

type nameCount struct {
	name string
	n    int
}

func (r *Report) killsBy() []nameCount {
	n := map[string]int{}
	for _, res := range r.with(Killed) {
		n[res.Reason]++
	}
	var out []nameCount
	for k, v := range n {
		out = append(out, nameCount{k, v})
	}
	slices.SortFunc(out, func(a, b nameCount) int {
		return cmp.Or(b.n-a.n, strings.Compare(a.name, b.name))
	})
	return out
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "`", "'").Replace(s)
}
