package node

import (
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestScripts runs the executable specification in testdata/: each file is
// a story told to a few monitors over a hand-stepped world. Regenerate the
// expected output with go test ./node/ -run TestScripts -rewrite.
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var c *scriptCluster
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd == "cluster" {
				c = newScriptCluster(scriptConfig(t, td), uint64(argInt(t, td, "seed", 1)))
				return "ok\n"
			}
			cmd, ok := scriptCmds[td.Cmd]
			if !ok || c == nil {
				td.Fatalf(t, "unknown command %q (or no cluster yet)", td.Cmd)
			}
			c.show = nil
			if a, ok := td.Arg("show"); ok {
				c.show = map[string]bool{}
				for _, v := range a.Vals {
					c.show[v] = true
				}
			}
			cmd(c, t, td)
			return c.flush()
		})
	})
}

// scriptConfig is a small cluster: three monitors, a short log (keep 4,
// trim past 6, at most 4 at once), join drift 3, four keys per sync chunk;
// with defaults, the monitor's own. Timings are the monitor's defaults
// unless an argument says otherwise.
func scriptConfig(t *testing.T, td *datadriven.TestData) Config {
	cfg := Config{Monitors: argInt(t, td, "monitors", 3), Dir: argStr(t, td, "dir", "")}
	if !td.HasArg("defaults") {
		cfg.PaxosMin, cfg.TrimMin, cfg.TrimMax, cfg.MaxJoinDrift, cfg.SyncChunkKeys = 4, 2, 4, 3, 4
	}
	cfg.LeaseDuration = argDur(t, td, "lease", 0)
	cfg.ElectionTimeout = argDur(t, td, "election", 0)
	cfg.ProbeInterval = argDur(t, td, "probe", 0)
	cfg.SyncTimeout = argDur(t, td, "sync-timeout", 0)
	cfg.ProposeDelay = argDur(t, td, "propose-delay", 0)
	cfg.ResendInterval = argDur(t, td, "resend", 0)
	cfg.PaxosMin = uint64(argInt(t, td, "paxos-min", int(cfg.PaxosMin)))
	cfg.TrimMin = uint64(argInt(t, td, "trim-min", int(cfg.TrimMin)))
	cfg.TrimMax = uint64(argInt(t, td, "trim-max", int(cfg.TrimMax)))
	cfg.MaxJoinDrift = uint64(argInt(t, td, "max-join-drift", int(cfg.MaxJoinDrift)))
	cfg.SyncChunkKeys = argInt(t, td, "chunk-keys", cfg.SyncChunkKeys)
	cfg.CollectorTimeout = argDur(t, td, "collector-timeout", 0)
	cfg.EventsKeep = uint64(argInt(t, td, "events-keep", 0))
	cfg.EventsTrimMin = uint64(argInt(t, td, "events-trim-min", 0))
	if a, ok := td.Arg("bugs"); ok {
		for _, b := range a.Vals {
			if err := cfg.Bugs.Enable(Bug(b)); err != nil {
				td.Fatalf(t, "%v", err)
			}
		}
	}
	return cfg
}
