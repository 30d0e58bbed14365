package sim

import (
	"slices"

	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/monsim/monsim/faultfs"
)

// Load installs the fault plan: timed faults are scheduled, point-triggered
// ones wait for their probe point. Call it once, before Run.
func (k *Kernel) Load(p Plan) error {
	if err := p.Validate(k.Vocabulary()); err != nil {
		return err
	}
	k.plan = p
	for i := range p.Faults {
		f := &p.Faults[i]
		if f.On != nil {
			k.triggers = append(k.triggers, i)
			continue
		}
		k.schedule(event{at: f.At, kind: evFault, node: -1, arg: uint64(i)})
	}
	return nil
}

// Vocabulary is what this kernel's plans may name: Config.Vocabulary, its
// nodes limited to those the kernel has (all of them when it says 0).
func (k *Kernel) Vocabulary() Vocabulary {
	v := k.cfg.Vocabulary
	if v.Nodes <= 0 || v.Nodes > len(k.nodes) {
		v.Nodes = len(k.nodes)
	}
	return v
}

// Plan returns the plan being executed.
func (k *Kernel) Plan() Plan { return k.plan }

// Fired counts how many faults of a kind have been applied so far.
func (k *Kernel) Fired(kind FaultKind) int { return k.fired[kind] }

func (k *Kernel) fireFault(fi int) {
	f := &k.plan.Faults[fi]
	if f.On != nil && k.heals > 0 {
		// A heal ends the fault phase: a fault waiting for a probe point,
		// for disk operations or for its delay never fires after it.
		k.Trace.Record(k.now, f.On.Node, KindFaultHealed, Int("fault", int64(fi)))
		return
	}
	if f.Ref != nil {
		n, ok := -1, false
		if k.cfg.Resolve != nil {
			n, ok = k.cfg.Resolve(*f.Ref)
		}
		if !ok || n < 0 || n >= len(k.nodes) {
			k.Trace.Record(k.now, -1, KindFaultUnresolved, Int("fault", int64(fi)), Str("node_ref", f.Ref.String()))
			return
		}
		resolved := *f
		resolved.Node = n
		f = &resolved
	}
	if k.fired == nil {
		k.fired = map[FaultKind]int{}
	}
	k.fired[f.Kind]++
	t := k.now
	if k.running >= 0 {
		t = k.handlerTime(k.running)
	}
	k.Trace.Record(t, f.Node, f.Kind.traceKind(), Int("fault", int64(fi)), Int("peer", int64(f.Peer)),
		Str("mode", f.mode()), Str("target", string(f.Target)), Int("prob_ppm", int64(f.Prob*1e6)), Int("for", f.For))
	k.applyFault(f, t)
}

func (k *Kernel) applyFault(f *Fault, t int64) {
	switch f.Kind {
	case FaultCrash:
		k.Crash(f.Node)
		k.restartAfter(f, t)
	case FaultPowerLoss:
		k.PowerLoss(f.Node, f.Power)
		k.restartAfter(f, t)
	case FaultRestart:
		k.Start(f.Node, t)
	case FaultPause:
		// Everything the node would handle meanwhile waits: the kernel
		// defers a busy node's events until it is free.
		if s := &k.nodes[f.Node]; s.up {
			s.busyUntil = max(s.busyUntil, t+f.For)
		}
	case FaultPartition:
		pairs := k.partitionPairs(f)
		for _, p := range pairs {
			k.block(p[0], p[1])
		}
		k.after(f, t, func() {
			for _, p := range pairs {
				k.unblock(p[0], p[1])
			}
		})
	case FaultBlock:
		k.block(f.Node, f.Peer)
		k.after(f, t, func() { k.unblock(f.Node, f.Peer) })
	case FaultClog:
		k.Net.Clog(f.Node, f.Peer, t+f.For)
	case FaultNetLoss, FaultNetDup, FaultNetCorrupt, FaultSlow:
		k.rateFaults = append(k.rateFaults, f)
		k.applyNetRates()
		k.after(f, t, func() {
			k.rateFaults = slices.DeleteFunc(k.rateFaults, func(g *Fault) bool { return g == f })
			k.applyNetRates()
		})
	case FaultHeal:
		k.heals++ // faults still running end now; their undo must not revive anything, and triggered ones never fire
		k.Net.Heal()
		k.blocks = nil
		k.rateFaults = nil
		k.applyNetRates()
		for i := range k.nodes {
			if d := k.nodes[i].disk; d != nil {
				d.ClearInjector()
			}
		}
	case FaultCorrupt:
		if d := k.nodes[f.Node].disk; d != nil {
			var ok bool
			if locate := k.locator(f); locate != nil {
				_, ok = d.CorruptWithin(f.Corruption, k.targetPath(f), locate)
			} else {
				_, ok = d.Corrupt(f.Corruption, k.targetPath(f))
			}
			if !ok {
				k.Trace.Record(t, f.Node, KindFaultNoTarget, Str("target", string(f.Target)))
			}
		}
	case FaultDiskEIO, FaultDiskENOSPC:
		if d := k.nodes[f.Node].disk; d != nil {
			d.SetInjector(k.diskInjector(d, f))
			k.after(f, t, d.ClearInjector)
		}
	}
}

// partitionPairs lists both directions of every link between the group and
// its peers (everyone else when Peers is empty).
func (k *Kernel) partitionPairs(f *Fault) [][2]int {
	in := make([]bool, len(k.nodes))
	for _, g := range f.Group {
		in[g] = true
	}
	peers := f.Peers
	if len(peers) == 0 {
		for i := range k.nodes {
			if !in[i] {
				peers = append(peers, i)
			}
		}
	}
	var pairs [][2]int
	for _, g := range f.Group {
		for _, p := range peers {
			if !in[p] {
				pairs = append(pairs, [2]int{g, p}, [2]int{p, g})
			}
		}
	}
	return pairs
}

// restartAfter boots a killed node again after the fault's down time.
func (k *Kernel) restartAfter(f *Fault, t int64) {
	if f.For > 0 {
		k.Start(f.Node, t+f.For)
	}
}

// after undoes a fault once its duration has passed, unless a heal came
// first. A zero duration lasts until the run ends or a heal.
func (k *Kernel) after(f *Fault, t int64, undo func()) {
	if f.For > 0 {
		heals := k.heals
		k.At(t+f.For, func() {
			if k.heals == heals {
				undo()
			}
		})
	}
}

// applyNetRates sets every link to the configured defaults, raised by the
// network-rate faults running now (overlapping faults: the highest wins).
func (k *Kernel) applyNetRates() {
	o := k.cfg.Net
	for _, f := range k.rateFaults {
		switch f.Kind {
		case FaultNetLoss:
			o.Loss = max(o.Loss, f.Prob)
		case FaultNetDup:
			o.Dup = max(o.Dup, f.Prob)
		case FaultNetCorrupt:
			o.Corrupt = max(o.Corrupt, f.Prob)
		}
	}
	k.Net.SetAll(o)
	for _, f := range k.rateFaults {
		if f.Kind == FaultSlow {
			// Every copy gets a tail of up to Lag: later ones overtake it.
			l := k.Net.Options(f.Node, f.Peer)
			l.TailProb, l.TailMax = 1, max(l.TailMax, f.Lag)
			k.Net.SetLink(f.Node, f.Peer, l)
		}
	}
}

// block and unblock count the faults cutting each directed link, so one
// fault ending never lifts a cut another fault still holds.
func (k *Kernel) block(from, to int) {
	if k.blocks == nil {
		k.blocks = map[[2]int]int{}
	}
	k.blocks[[2]int{from, to}]++
	k.Net.Block(from, to)
}

func (k *Kernel) unblock(from, to int) {
	key := [2]int{from, to}
	if k.blocks[key]--; k.blocks[key] <= 0 {
		delete(k.blocks, key)
		k.Net.Unblock(from, to)
	}
}

func (k *Kernel) diskInjector(d *faultfs.FS, f *Fault) errorfs.Injector {
	if f.Kind == FaultDiskENOSPC {
		return d.ENOSPC(k.targetPath(f), f.Prob)
	}
	class := f.IO
	if class == 0 {
		class = faultfs.OnAnyIO
	}
	return d.EIO(class, k.targetPath(f), f.Prob)
}

// targetPath is the path prefix on the fault's node's disk that its target
// names: Config.ResolveTarget's answer, or the target itself.
func (k *Kernel) targetPath(f *Fault) string {
	if f.Target == "" || k.cfg.ResolveTarget == nil {
		return string(f.Target)
	}
	return k.cfg.ResolveTarget(f.Node, f.Target)
}

// locator aims the fault's corruption inside its target's files, if the
// target is a part of a file (Config.LocateTarget).
func (k *Kernel) locator(f *Fault) func([]byte) (int64, int64, bool) {
	if f.Target == "" || k.cfg.LocateTarget == nil {
		return nil
	}
	return k.cfg.LocateTarget(f.Target)
}

// mode is the name of the fault's kind-specific mode, for the trace.
func (f *Fault) mode() string {
	switch f.Kind {
	case FaultPowerLoss:
		return f.Power.String()
	case FaultCorrupt:
		return f.Corruption.String()
	case FaultDiskEIO:
		if f.IO == 0 {
			return "any"
		}
		t, _ := f.IO.MarshalText()
		return string(t)
	}
	return ""
}
