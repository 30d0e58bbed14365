package sim

import (
	"errors"
	"fmt"
	"slices"
)

// FaultKind names what a planned fault does.
type FaultKind string

// The fault kinds. Each has a test showing it happens and shows in the trace.
const (
	FaultCrash      FaultKind = "crash"       // process crash of Node; restart after For if > 0
	FaultPowerLoss  FaultKind = "power-loss"  // power loss of Node's host, Mode honest|torn|lying; restart after For
	FaultRestart    FaultKind = "restart"     // boot Node if it is down
	FaultPause      FaultKind = "pause"       // Node's process stops for For (a GC pause, SIGSTOP), then handles what queued up
	FaultPartition  FaultKind = "partition"   // Group cut from Peers (or everyone else), both ways; lifted after For if > 0
	FaultBlock      FaultKind = "block"       // one-way: Node can no longer reach Peer; unblocked after For
	FaultClog       FaultKind = "clog"        // messages Node->Peer held for For, then released
	FaultNetLoss    FaultKind = "net-loss"    // every link drops with Prob; restored after For
	FaultNetDup     FaultKind = "net-dup"     // every link duplicates with Prob; restored after For
	FaultNetCorrupt FaultKind = "net-corrupt" // every link flips bits with Prob; restored after For
	FaultHeal       FaultKind = "heal"        // end every partition, block, clog and network fault rate
	FaultCorrupt    FaultKind = "corrupt"     // corrupt durable bytes on Node's disk: Mode is the corruption kind, Target a path prefix
	FaultDiskEIO    FaultKind = "disk-eio"    // Node's disk fails Mode (read|write|sync) ops under Target with Prob, for For
	FaultDiskENOSPC FaultKind = "disk-enospc" // Node's disk refuses writes under Target with Prob, for For
)

var faultKinds = []FaultKind{
	FaultCrash, FaultPowerLoss, FaultRestart, FaultPause, FaultPartition, FaultBlock, FaultClog,
	FaultNetLoss, FaultNetDup, FaultNetCorrupt, FaultHeal, FaultCorrupt, FaultDiskEIO, FaultDiskENOSPC,
}

// Trigger fires a fault at the Nth time Node passes probe point Point
// (counting from 1); with AfterOps > 0, right after Node's AfterOps-th
// mutating filesystem operation following that moment; with Delay > 0, that
// long after it, once the handler has finished and its messages are out.
type Trigger struct {
	Point    string `json:"point"`
	Node     int    `json:"node"`
	Nth      int    `json:"nth"`
	AfterOps int    `json:"after_ops,omitempty"`
	Delay    int64  `json:"delay,omitempty"`
}

// Fault is one step of a fault plan. Times are simulated nanoseconds.
type Fault struct {
	At   int64     `json:"at,omitempty"` // when, if On is nil
	On   *Trigger  `json:"on,omitempty"` // or: when a probe point is reached
	Kind FaultKind `json:"kind"`
	Node int       `json:"node"`
	// NodeRef names the target by role instead, resolved when the fault
	// fires through Config.Resolve (e.g. "sync-provider-of:2").
	NodeRef string  `json:"node_ref,omitempty"`
	Peer    int     `json:"peer,omitempty"`
	Group   []int   `json:"group,omitempty"`
	Peers   []int   `json:"peers,omitempty"`
	Mode    string  `json:"mode,omitempty"`
	Target  string  `json:"target,omitempty"`
	Prob    float64 `json:"prob,omitempty"`
	For     int64   `json:"for,omitempty"` // duration, where the kind has one
}

// Plan is the explicit, serialisable list of faults a run executes. A seed
// generates a plan; the plan, not the seed, is what runs, so a plan can be
// edited or shrunk and still replay.
type Plan struct {
	Faults []Fault `json:"faults"`
}

// ErrBadPlan wraps every plan validation failure.
var ErrBadPlan = errors.New("bad fault plan")

// Validate checks that every fault names a known kind, nodes in [0, nodes)
// and sane numbers, so a hand-edited or truncated plan fails before it runs.
func (p *Plan) Validate(nodes int) error {
	for i := range p.Faults {
		if err := p.Faults[i].validate(nodes); err != nil {
			return fmt.Errorf("%w: fault %d: %v", ErrBadPlan, i, err)
		}
	}
	return nil
}

func (f *Fault) validate(nodes int) error {
	if !slices.Contains(faultKinds, f.Kind) {
		return fmt.Errorf("unknown kind %q", f.Kind)
	}
	inRange := func(n int) bool { return n >= 0 && n < nodes }
	if !inRange(f.Node) {
		return fmt.Errorf("node %d out of range", f.Node)
	}
	if (f.Kind == FaultBlock || f.Kind == FaultClog) && !inRange(f.Peer) {
		return fmt.Errorf("peer %d out of range", f.Peer)
	}
	for _, g := range append(slices.Clone(f.Group), f.Peers...) {
		if !inRange(g) {
			return fmt.Errorf("group or peer member %d out of range", g)
		}
	}
	if f.At < 0 || f.For < 0 || f.Prob < 0 || f.Prob > 1 {
		return fmt.Errorf("negative time or probability outside [0,1]")
	}
	if err := f.validateMode(); err != nil {
		return err
	}
	if f.On != nil {
		if f.On.Point == "" || f.On.Nth < 1 || f.On.AfterOps < 0 || f.On.Delay < 0 || !inRange(f.On.Node) ||
			(f.On.AfterOps > 0 && f.On.Delay > 0) {
			return fmt.Errorf("trigger needs a point, nth >= 1, a node in range, and at most one of after_ops and delay, not negative")
		}
	}
	return nil
}
