package harness

import (
	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/sim"
)

// RoleSyncProvider names, in a fault plan, the monitor that another one is
// syncing from when the fault fires: {"node_ref": "sync-provider-of:2"}.
const RoleSyncProvider sim.Role = "sync-provider-of"

// Vocabulary is what a cluster's fault plans may name: its monitors and
// collectors (nodes 0..monitors+collectors-1), their probe points and disk
// targets, and the roles the harness resolves.
func Vocabulary(monitors, collectors int) sim.Vocabulary {
	v := sim.Vocabulary{Nodes: monitors + collectors, Roles: []sim.Role{RoleSyncProvider}}
	for _, p := range node.Points() {
		v.Points = append(v.Points, sim.Point(p))
	}
	for _, p := range collector.OwnPoints() {
		v.Points = append(v.Points, sim.Point(p))
	}
	for _, t := range node.Targets() {
		v.Targets = append(v.Targets, sim.Target(t))
	}
	return v
}

// CheckPlan validates a fault-phase plan for a cluster of the given size
// before it runs: unknown names are errors, not faults that never fire.
func CheckPlan(p sim.Plan, monitors, collectors int) error {
	return p.Validate(Vocabulary(monitors, collectors))
}
