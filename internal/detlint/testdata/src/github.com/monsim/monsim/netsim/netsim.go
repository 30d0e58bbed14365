// Package netsim plants the sync cases.
package netsim

import (
	"sync"        // want `sync: import "sync": the simulation is single-threaded`
	"sync/atomic" // want `sync: import "sync/atomic"`
)

var mu sync.Mutex
var n atomic.Int64

// Near miss: a field called sync is only a name.
type link struct{ sync bool }

func (l *link) synced() bool { return l.sync }
