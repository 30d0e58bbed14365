package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/monsim/monsim/harness"
)

// cmdProbes lists every code probe of the monitor, its store and the
// collector, with what reaching it means and where it lives. With -check it
// reads the JSON lines of one or more `fuzz -json` runs (the nightly
// shards) and fails, listing them, if any probe was reached by none.
func cmdProbes(args []string, stdout, _ io.Writer) error {
	fs := newFlags("probes")
	var check bool
	fs.BoolVar(&check, "check", false, "read fuzz -json outputs (the arguments) and fail if a probe was never reached")
	files, err := parseFlags(fs, args, 1<<20)
	if err != nil {
		return err
	}
	if !check {
		if len(files) > 0 {
			return usagef("probes: arguments need -check")
		}
		for _, p := range harness.CodeProbes() {
			fmt.Fprintf(stdout, "%-40s %-34s %s\n", p.Probe, p.Where, p.Means)
		}
		return nil
	}
	if len(files) == 0 {
		return usagef("probes -check: needs one or more fuzz -json outputs")
	}
	reached := map[string]int64{}
	for _, f := range files {
		if err := addProbeCounts(f, reached); err != nil {
			return usagef("probes -check: %v", err)
		}
	}
	missing := 0
	for _, p := range harness.CodeProbes() {
		if reached[string(p.Probe)] == 0 {
			fmt.Fprintf(stdout, "never reached: %-40s %s (%s)\n", p.Probe, p.Means, p.Where)
			missing++
		}
	}
	fmt.Fprintf(stdout, "code probes: %d of %d reached over %d runs\n", len(harness.CodeProbes())-missing, len(harness.CodeProbes()), len(files))
	if missing > 0 {
		return &exitError{code: exitViolation}
	}
	return nil
}

// addProbeCounts adds the probe counts of every summary line of a fuzz
// -json output to reached.
func addProbeCounts(path string, reached map[string]int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	summaries := 0
	for n := 1; sc.Scan(); n++ {
		var line struct {
			Type   string           `json:"type"`
			Probes map[string]int64 `json:"probes"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return fmt.Errorf("%s:%d: not a fuzz -json line: %v", path, n, err)
		}
		if line.Type == "summary" {
			summaries++
			for p, c := range line.Probes {
				reached[p] += c
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if summaries == 0 {
		return fmt.Errorf("%s: no summary line (an interrupted or truncated run?)", path)
	}
	return nil
}
