package checker

import (
	"fmt"
	"slices"
)

// Name is a checker's name, as a violation, a verdict line and a seed file
// give it. In JSON it is its name; an unknown name is an error.
type Name string

// Every checker, and the harness's own failures that are reported like
// checker violations.
const (
	NameLinearizability Name = "linearizability"
	NameLedger          Name = "ledger"
	NameStateHash       Name = "state-hash"
	NameSync            Name = "sync"
	NamePromises        Name = "promises"
	NameLease           Name = "lease"
	NameRepair          Name = "repair"
	NameLiveness        Name = "liveness"
	NameUnavailability  Name = "unavailability"
	NameKVDurability    Name = "kv-durability"
	NamePartial         Name = "partial-store"
	NameStopped         Name = "stopped"
	NameTrim            Name = "trim"
	NameLeftovers       Name = "leftovers"
	NameStability       Name = "stability"
	NameResume          Name = "resume"
	NameCollectorLog    Name = "collector-log"
	NameOfflinePeriods  Name = "offline-periods"
	NameFetch           Name = "fetch"
	NamePageRepair      Name = "page-repair"
	NameWire            Name = "wire"
	// NameBudget is a run that exhausted its event or time budget.
	NameBudget Name = "budget"
	// NamePlan is a fault plan that could not be loaded.
	NamePlan Name = "plan"
)

// Names lists every checker name.
func Names() []Name {
	return []Name{NameLinearizability, NameLedger, NameStateHash, NameSync, NamePromises, NameLease, NameRepair,
		NameLiveness, NameUnavailability, NameKVDurability, NamePartial, NameStopped, NameTrim, NameLeftovers,
		NameStability, NameResume, NameCollectorLog, NameOfflinePeriods, NameFetch, NamePageRepair, NameWire, NameBudget, NamePlan}
}

// UnmarshalText reads a checker's name; an unknown name is an error.
func (n *Name) UnmarshalText(b []byte) error {
	if !slices.Contains(Names(), Name(b)) {
		return fmt.Errorf("unknown checker %q", b)
	}
	*n = Name(b)
	return nil
}

// Damage says whether a violation of this checker is damage a user would
// see (a history that is not linearizable, a lost or forked write), rather
// than an invariant breach that explains it.
func (n Name) Damage() bool { return n == NameLinearizability || n == NameLedger }
