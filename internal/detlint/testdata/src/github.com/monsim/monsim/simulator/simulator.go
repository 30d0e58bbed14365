// Package simulator only shares a prefix with sim, so it is out of scope.
package simulator

import "time"

func stamp() time.Time {
	go func() {}()
	return time.Now()
}
