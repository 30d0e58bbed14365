package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// newFlags returns a flag set that never prints usage text by itself: bad
// input becomes one line on stderr and exit code 2.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args and turns any complaint into a usage error. Stray
// positional arguments are refused unless the command takes them.
func parseFlags(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "\n"); i >= 0 {
			msg = msg[:i]
		}
		return nil, usagef("%s: %s", fs.Name(), msg)
	}
	if fs.NArg() > positional {
		return nil, usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(positional))
	}
	return fs.Args(), nil
}

// seedFlag accepts only a non-negative decimal integer.
type seedFlag struct {
	v   uint64
	set bool
}

func (s *seedFlag) String() string { return strconv.FormatUint(s.v, 10) }

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("must be a non-negative integer, got %q", v)
	}
	s.v, s.set = n, true
	return nil
}

// durationFlag is a non-negative wall-clock duration.
type durationFlag struct{ d time.Duration }

func (d *durationFlag) String() string { return d.d.String() }

func (d *durationFlag) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("not a duration: %q (use e.g. 30s or 5m)", v)
	}
	if x < 0 {
		return fmt.Errorf("must not be negative, got %s", v)
	}
	d.d = x
	return nil
}
