package main

import (
	"fmt"
	"github.com/monsim/monsim/internal/campaign"
	"io"
)

// cmdReplay re-runs a saved seed file: exit 1 when the failure reproduces,
// 0 when it no longer fails, 3 when the same build gives another trace hash.
func cmdReplay(args []string, stdout, _ io.Writer) error {
	fs := newFlags("replay")
	var out outputs
	var verbose bool
	out.register(fs)
	fs.BoolVar(&verbose, "v", false, "print every violation and the counters")
	_, f, sc, opts, err := loadSeedFile(fs, args)
	if err != nil {
		return err
	}
	res, err := out.run("replay", sc, opts)
	if err != nil {
		return err
	}
	printResult(stdout, res, verbose)
	want, _ := f.Hash()
	if res.TraceHash != want {
		if f.Build == campaign.BuildID() {
			fmt.Fprintf(stdout, "NONDETERMINISTIC: saved trace-hash %016x, this build replays %016x\n", want, res.TraceHash)
			return &exitError{code: exitNondeterminism}
		}
		fmt.Fprintf(stdout, "note: saved by build %s, replayed by %s: trace hashes differ (%016x saved)\n", f.Build, campaign.BuildID(), want)
	}
	return verdictError(res)
}

// reorder moves flags before positional arguments, so "replay FILE -trace
// T" works as well as "replay -trace T FILE".
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			if !hasValue(a) && i+1 < len(args) && !isBoolFlag(a) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(flags, pos...)
}

func hasValue(flag string) bool {
	for _, c := range flag {
		if c == '=' {
			return true
		}
	}
	return false
}

func isBoolFlag(flag string) bool { return flag == "-v" || flag == "--v" }
