package sim

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/monsim/monsim/faultfs"
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
	FaultSlow       FaultKind = "slow"        // messages Node->Peer each delayed by up to Lag more, for For: old rounds arrive late
	FaultNetLoss    FaultKind = "net-loss"    // every link drops with Prob; restored after For
	FaultNetDup     FaultKind = "net-dup"     // every link duplicates with Prob; restored after For
	FaultNetCorrupt FaultKind = "net-corrupt" // every link flips bits with Prob; restored after For
	FaultHeal       FaultKind = "heal"        // end every partition, block, clog and network fault rate
	FaultCorrupt    FaultKind = "corrupt"     // corrupt durable bytes on Node's disk: Mode is the corruption kind, Target a path prefix
	FaultDiskEIO    FaultKind = "disk-eio"    // Node's disk fails Mode (read|write|sync) ops under Target with Prob, for For
	FaultDiskENOSPC FaultKind = "disk-enospc" // Node's disk refuses writes under Target with Prob, for For
)

var faultKinds = []FaultKind{
	FaultCrash, FaultPowerLoss, FaultRestart, FaultPause, FaultPartition, FaultBlock, FaultClog, FaultSlow,
	FaultNetLoss, FaultNetDup, FaultNetCorrupt, FaultHeal, FaultCorrupt, FaultDiskEIO, FaultDiskENOSPC,
}

// Point names a probe point of the system under test, Target a part of a
// node's disk and Role a node's role; the kernel gives them no meaning of
// its own. A plan may use only those its Vocabulary lists.
type (
	Point  string
	Target string
	Role   string
)

// NodeRef names a fault's node by its role, resolved when the fault fires
// (Config.Resolve): "sync-provider-of:2" is the node that node 2 is
// syncing from at that moment.
type NodeRef struct {
	Role Role
	Of   int
}

func (r NodeRef) String() string { return fmt.Sprintf("%s:%d", r.Role, r.Of) }

// MarshalText writes the reference as role:node.
func (r NodeRef) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads role:node.
func (r *NodeRef) UnmarshalText(b []byte) error {
	role, of, ok := strings.Cut(string(b), ":")
	n, err := strconv.Atoi(of)
	if !ok || role == "" || err != nil {
		return fmt.Errorf("node reference %q is not role:node", b)
	}
	*r = NodeRef{Role: Role(role), Of: n}
	return nil
}

// Trigger fires a fault at the Nth time Node passes probe point Point
// (counting from 1); with AfterOps > 0, right after Node's AfterOps-th
// mutating filesystem operation following that moment; with Delay > 0, that
// long after it, once the handler has finished and its messages are out.
// A triggered fault that comes due after a heal does not fire.
type Trigger struct {
	Point    Point `json:"point"`
	Node     int   `json:"node"`
	Nth      int   `json:"nth"`
	AfterOps int   `json:"after_ops,omitempty"`
	Delay    int64 `json:"delay,omitempty"`
}

// Fault is one step of a fault plan. Times are simulated nanoseconds. Each
// kind reads only the fields its comment names; Power, Corruption and IO
// are kind-specific modes, written to JSON only for their kind.
type Fault struct {
	At   int64     // when, if On is nil
	On   *Trigger  // or: when a probe point is reached
	Kind FaultKind //
	Node int       //
	// Ref names the target by role instead of Node, resolved when the fault
	// fires; a reference that resolves to no node skips the fault.
	Ref        *NodeRef
	Peer       int
	Group      []int
	Peers      []int
	Power      faultfs.PowerMode   // power-loss: honest, torn or lying
	Corruption faultfs.CorruptKind // corrupt: how the bytes go bad
	IO         faultfs.IOClass     // disk-eio: which operations fail (0: all)
	Target     Target              // corrupt, disk-eio, disk-enospc: where ("" for the whole disk)
	Prob       float64
	For        int64 // duration, where the kind has one
	Lag        int64 // slow: the most a message is delayed beyond its latency
}

// Plan is the explicit, serialisable list of faults a run executes. A seed
// generates a plan; the plan, not the seed, is what runs, so a plan can be
// edited or shrunk and still replay.
type Plan struct {
	Faults []Fault `json:"faults"`
}

// ErrBadPlan wraps every plan validation failure.
var ErrBadPlan = errors.New("bad fault plan")

// Vocabulary is what a plan may name beyond the kernel's own fault kinds:
// the probe points, disk targets and node roles of the system under test,
// and how many nodes there are. A plan is checked against it before it
// runs, so a misspelled name is an error, not a fault that never fires.
type Vocabulary struct {
	Nodes   int
	Points  []Point
	Targets []Target
	Roles   []Role
}

// Validate checks that every fault names a known kind, nodes in range,
// points, targets and roles of the vocabulary, and sane numbers, so a
// hand-edited or truncated plan fails before it runs.
func (p *Plan) Validate(v Vocabulary) error {
	for i := range p.Faults {
		if err := p.Faults[i].validate(v); err != nil {
			return fmt.Errorf("%w: fault %d: %v", ErrBadPlan, i, err)
		}
	}
	return nil
}

func (f *Fault) validate(v Vocabulary) error {
	if !slices.Contains(faultKinds, f.Kind) {
		return fmt.Errorf("unknown kind %q", f.Kind)
	}
	inRange := func(n int) bool { return n >= 0 && n < v.Nodes }
	if !inRange(f.Node) {
		return fmt.Errorf("node %d out of range", f.Node)
	}
	if f.Kind == FaultSlow && f.Lag <= 0 {
		return fmt.Errorf("a slow link needs a lag > 0")
	}
	if (f.Kind == FaultBlock || f.Kind == FaultClog || f.Kind == FaultSlow) && !inRange(f.Peer) {
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
	if f.Target != "" && !slices.Contains(v.Targets, f.Target) {
		return fmt.Errorf("unknown target %q (one of %v)", f.Target, v.Targets)
	}
	if f.Ref != nil && (!slices.Contains(v.Roles, f.Ref.Role) || !inRange(f.Ref.Of)) {
		return fmt.Errorf("unknown node reference %q (roles %v)", f.Ref, v.Roles)
	}
	if f.On != nil {
		if f.On.Nth < 1 || f.On.AfterOps < 0 || f.On.Delay < 0 || !inRange(f.On.Node) ||
			(f.On.AfterOps > 0 && f.On.Delay > 0) {
			return fmt.Errorf("trigger needs nth >= 1, a node in range, and at most one of after_ops and delay, not negative")
		}
		if !slices.Contains(v.Points, f.On.Point) {
			return fmt.Errorf("unknown probe point %q", f.On.Point)
		}
	}
	return nil
}
