// Command simrun runs monsim's scenarios: the default job, one seed, a fuzz
// campaign, a replay of a saved failure. See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/monsim/monsim/internal/campaign"
)

// Exit codes, as docs/design.md ("The command line") fixes them.
const (
	exitPass           = 0
	exitViolation      = 1
	exitUsage          = 2
	exitNondeterminism = 3
	exitUnknown        = 4
)

// usageError is bad input: it exits 2 with its one-line message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries a non-zero exit code for an outcome that is not bad
// input (a violation, a nondeterministic replay, an undecided check).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"list", "scenarios and planted bugs, one line each", cmdList},
		{"run", "run one seed of a scenario: run -scenario S -seed N [-bug B] [-monitors N] [-collectors N] [-trace F.jsonl]", cmdRun},
		{"fuzz", "many seeds in parallel: fuzz [-scenario S|all|S1,S2] [-bug B] [-seeds N | -duration D] [-workers W] [-corpus DIR] [-json]", cmdFuzz},
		{"replay", "re-run a saved seed file: replay FILE [-trace F.jsonl]", cmdReplay},
		{"shrink", "delta-debug a saved failure to fewer faults and client operations: shrink FILE [-o OUT]", cmdShrink},
		{"check", "check a recorded history for linearizability: check [-timeout D] HISTORY (monsim JSON, Jepsen log or EDN)", cmdCheck},
		{"bench", "speed: bench [-time D] (seeds/s on one core) | bench -bugs [-bases K] [-workers W] (time to find each planted bug) | bench -compare OLD [-bugs] (ratios against another build)", cmdBench},
		{"mutate", "mutation testing of node/ with the campaign as oracle: mutate [-n N -seed S] [-time D] [-workers W] [-o FILE] [-equivalent FILE] [-list]", cmdMutate},
		{"crashpoints", "cut power after every filesystem operation of a repair: crashpoints -scenario S [-seed N]", cmdCrashpoints},
		{"probes", "every code probe of the monitor and the collector, and where it lives; probes -check FILE... fails if a fuzz -json run never reached one", cmdProbes},
	}
}

func main() {
	campaign.TuneGC()
	os.Exit(mainCode(os.Args[1:], os.Stdout, os.Stderr))
}

func mainCode(args []string, stdout, stderr io.Writer) int {
	var err error
	if len(args) == 0 {
		err = cmdDefault(nil, stdout, stderr)
	} else if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		printHelp(stdout)
		return exitPass
	} else {
		err = dispatch(args, stdout, stderr)
	}
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		return exitPass
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "simrun: "+ue.msg)
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintln(stderr, "simrun: "+err.Error())
		return exitUsage
	}
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if args[0] != "" && args[0][0] == '-' {
		return cmdDefault(args, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	return usagef("unknown command %q (simrun help lists them)", args[0])
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "simrun: deterministic simulation of a Paxos monitor cluster under faults")
	fmt.Fprintln(w, "\nusage:\n  simrun                      the default job: every scenario, fresh seeds, ~30 s")
	for _, c := range commands() {
		fmt.Fprintf(w, "  simrun %-20s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nexit codes: 0 pass, 1 violation, 2 bad input, 3 nondeterministic replay, 4 undecided check")
}
