package collector

import (
	"fmt"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
)

// Config is one collector's fixed configuration. Durations are local
// nanoseconds.
type Config struct {
	ID       int // the collector's id, as the events name it
	Monitors int // the monitors are endpoints 0..Monitors-1
	// Dir is the store directory; "" means "col-<ID>/store".
	Dir string
	// Mkfs lets the collector create its store: true only at its very
	// first start.
	Mkfs bool

	ReportInterval int64 // how often it reports its status; 0: 250 ms
	// SessionTimeout is how long it waits for its monitor's ack before it
	// tries another monitor. 0: four report intervals.
	SessionTimeout int64
	FetchTimeout   int64 // an unanswered query or fetch is sent again after this; 0: 500 ms
	// FetchMax is the most events one fetch asks for; 0: 16 (the monitors'
	// EventsPerMsg).
	FetchMax int
	// StatusEvery: the status it reports changes, on average, once every
	// this many reports. 0: never.
	StatusEvery int
	// StatusUntil: the status changes only before this local time; 0: as
	// long as it runs. A harness that checks a quiet cluster at the end
	// stops the changes (and so the events they make) before it.
	StatusUntil int64
	// OpenRetries is how many times a failing store open is retried before
	// the collector stops. 0: 3.
	OpenRetries int

	Store kvstore.Options
	// Bugs are the planted bugs (node.BugCatalog lists every one; the
	// collector reads CatchupFromReceived and TrimmedGapSkipped).
	Bugs node.Bugs
}

func (c Config) withDefaults() Config {
	const ms = 1_000_000
	if c.ReportInterval == 0 {
		c.ReportInterval = 250 * ms
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = 4 * c.ReportInterval
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = 500 * ms
	}
	if c.FetchMax == 0 {
		c.FetchMax = 16
	}
	if c.OpenRetries == 0 {
		c.OpenRetries = 3
	}
	if c.Dir == "" {
		c.Dir = fmt.Sprintf("col-%d/store", c.ID)
	}
	return c
}

// StoreDir is where the collector keeps its store.
func (c Config) StoreDir() string { return c.withDefaults().Dir }
