package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/monsim/monsim/internal/atomicfile"
	"github.com/monsim/monsim/internal/history"
	"github.com/monsim/monsim/report"
	"github.com/monsim/monsim/scenarios"
)

// outputs are the files a single run may write for the user: its trace
// (JSON lines), an HTML report and the client history. Each is written to a
// temp file, synced and renamed into place only once complete.
type outputs struct {
	trace, html, history string
}

func (o *outputs) register(fs flagSet) {
	fs.StringVar(&o.trace, "trace", "", "write every trace record to this file as JSON lines")
	fs.StringVar(&o.html, "html", "", "write a self-contained HTML report of the run to this file")
	fs.StringVar(&o.history, "history", "", "write the clients' history (monsim JSON, for simrun check) to this file")
}

// flagSet is the part of *flag.FlagSet outputs needs.
type flagSet interface {
	StringVar(p *string, name, value, usage string)
}

// run executes sc with opts and writes the requested files. Every output is
// opened before the run, so a bad path fails at once and writes nothing.
func (o *outputs) run(cmd string, sc *scenarios.Scenario, opts scenarios.Options) (*scenarios.Result, error) {
	files := map[string]*atomicfile.File{}
	for _, x := range []struct{ flag, path string }{{"trace", o.trace}, {"html", o.html}, {"history", o.history}} {
		if x.path == "" {
			continue
		}
		f, err := atomicfile.Create(x.path)
		if err != nil {
			return nil, usagef("%s: -%s: %v", cmd, x.flag, err)
		}
		defer f.Abort() // a no-op once committed
		files[x.flag] = f
	}
	var mem bytes.Buffer
	var writers []io.Writer
	if f := files["trace"]; f != nil {
		writers = append(writers, f)
	}
	if files["html"] != nil {
		writers = append(writers, &mem)
	}
	if len(writers) > 0 {
		opts.Trace = io.MultiWriter(writers...)
	}
	res := sc.Run(opts)
	fills := map[string]func(io.Writer) error{
		"trace":   func(io.Writer) error { return nil },
		"html":    func(w io.Writer) error { return report.Write(w, report.Input{Result: res, Trace: mem.Bytes()}) },
		"history": func(w io.Writer) error { return history.Encode(w, res.History) },
	}
	for _, flag := range []string{"trace", "html", "history"} {
		f := files[flag]
		if f == nil {
			continue
		}
		if err := fills[flag](f); err != nil {
			return nil, fmt.Errorf("%s: writing -%s: %w", cmd, flag, err)
		}
		if err := f.Commit(); err != nil {
			return nil, fmt.Errorf("%s: writing -%s: %w", cmd, flag, err)
		}
	}
	return res, nil
}
