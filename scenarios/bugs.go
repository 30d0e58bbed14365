package scenarios

import (
	"errors"
	"fmt"
)

// Bug is a planted defect in the system under test, off unless asked for.
// Each one exists to prove that a checker catches what it breaks.
type Bug struct {
	Name     string
	Scenario string // the scenario that finds it by default
	Breaks   string // what it breaks, in one line
}

// ErrUnknownBug is returned for a name not in the catalog.
var ErrUnknownBug = errors.New("unknown bug")

var bugCatalog []Bug

// Bugs returns the planted-bug catalog in name order.
func Bugs() []Bug { return bugCatalog }

// LookupBug finds a planted bug by name.
func LookupBug(name string) (Bug, error) {
	for _, b := range bugCatalog {
		if b.Name == name {
			return b, nil
		}
	}
	return Bug{}, fmt.Errorf("%w %q (simrun list shows them)", ErrUnknownBug, name)
}
