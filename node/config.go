package node

import (
	"fmt"

	"github.com/monsim/monsim/node/kvstore"
)

// Config is one monitor's fixed configuration. Durations are local
// nanoseconds. Ceph's values are scaled down (a 5 s lease becomes 1 s, and
// so on) so that a simulated minute holds many elections, trims and syncs;
// the ratios between them follow Ceph.
type Config struct {
	Rank     int // this monitor's rank in the monmap
	Monitors int // monmap size: ranks 0..Monitors-1
	// Dir is the store directory; "" means "mon-<rank>/store".
	Dir string
	// Mkfs lets the monitor create its store if it is missing: true only for
	// a monitor's very first start, as ceph-mon --mkfs. Afterwards a missing
	// store is a broken one, repaired like any other.
	Mkfs bool

	LeaseDuration   int64 // how long a lease lets a peon serve reads; 0: 1 s
	ElectionTimeout int64 // how long an election waits for acks; 0: 1 s
	ProbeInterval   int64 // how often a probing monitor re-probes; 0: 300 ms
	SyncTimeout     int64 // a requester waits this long for a chunk; 0: 2 s
	ProposeDelay    int64 // the leader gathers client writes this long; 0: 2 ms
	ResendInterval  int64 // the leader resends unanswered collect/begin this often; 0: 50 ms

	// PaxosMin versions are always kept; a trim happens once more than
	// PaxosMin+TrimMin are held, and removes at most TrimMax. 0: 20, 10, 20.
	PaxosMin, TrimMin, TrimMax uint64
	// MaxJoinDrift is how far behind a peer a monitor may be and still join
	// by election instead of a recent sync. 0: 10, as in Ceph.
	MaxJoinDrift uint64
	// SyncChunkBytes and SyncChunkKeys bound each sync chunk. 0: 4 KiB, 32.
	SyncChunkBytes, SyncChunkKeys int
	// MaxDriftPPM bounds how fast or slow any monitor's clock may run; lease
	// arithmetic leaves margin for it. 0: 1000 (0.1%).
	MaxDriftPPM int64
	// OpenRetries is how many times a failing store open is retried before
	// the monitor gives up on the store. 0: 3.
	OpenRetries int
	// NoPageRepair turns page repair off: damage inside a replicated page
	// of the store is repaired like any other, by rebuilding the whole
	// store. False: such a page is fetched from the others (pagerepair.go).
	NoPageRepair bool
	// Preload is config keys and values a store created at mkfs starts
	// with, committed as version 1 alike on every monitor given the same:
	// a fixture, so a benchmark can start from a store of a given size.
	// Nil: stores start empty.
	Preload []Pair

	// NoResume makes an interrupted full sync start over from nothing, as
	// before syncs resumed: the baseline BENCHMARKS.md compares against.
	NoResume bool
	// CollectorTimeout is how long the leader waits for a collector's
	// report before it marks the collector down (its stop event), as
	// Ceph's mon_osd_report_timeout. 0: 2 s.
	CollectorTimeout int64
	// EventsKeep collector events are always kept; a trim happens once
	// more than EventsKeep+EventsTrimMin are held. 0: 32, 16.
	EventsKeep, EventsTrimMin uint64
	// EventsPerMsg bounds the events one message to a collector carries,
	// as Ceph's osd_map_message_max. 0: 16.
	EventsPerMsg int

	Store kvstore.Options
	Bugs  Bugs
}

func (c Config) withDefaults() Config {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	const ms = 1_000_000
	def(&c.LeaseDuration, 1000*ms)
	def(&c.ElectionTimeout, 1000*ms)
	def(&c.ProbeInterval, 300*ms)
	def(&c.SyncTimeout, 2000*ms)
	def(&c.ProposeDelay, 2*ms)
	def(&c.ResendInterval, 50*ms)
	def(&c.MaxDriftPPM, 1000)
	defU := func(v *uint64, d uint64) {
		if *v == 0 {
			*v = d
		}
	}
	defU(&c.PaxosMin, 20)
	defU(&c.TrimMin, 10)
	defU(&c.TrimMax, 20)
	defU(&c.MaxJoinDrift, 10)
	if c.SyncChunkBytes == 0 {
		c.SyncChunkBytes = 4 << 10
	}
	if c.SyncChunkKeys == 0 {
		c.SyncChunkKeys = 32
	}
	if c.OpenRetries == 0 {
		c.OpenRetries = 3
	}
	def(&c.CollectorTimeout, 2000*ms)
	defU(&c.EventsKeep, 32)
	defU(&c.EventsTrimMin, 16)
	if c.EventsPerMsg == 0 {
		c.EventsPerMsg = 16
	}
	if c.Dir == "" {
		c.Dir = fmt.Sprintf("mon-%d/store", c.Rank)
	}
	return c
}

// majority is the size of a majority of the monmap.
func (c *Config) majority() int { return c.Monitors/2 + 1 }

// leaseRenew is how often a leader renews leases: 0.6 of the lease, as Ceph.
func (c *Config) leaseRenew() int64 { return c.LeaseDuration * 6 / 10 }

// leaseAckTimeout is how long a peon waits for a renewal: twice the lease,
// as Ceph. (A leader needs no such timer: its next renewal, at 0.6 of the
// lease, steps down if the last round is not acked.)
func (c *Config) leaseAckTimeout() int64 { return 2 * c.LeaseDuration }

// leaseResend is how often a leader resends a lease round some peon has
// not acked: three times before the next renewal, which needs every ack.
func (c *Config) leaseResend() int64 { return c.leaseRenew() / 4 }

// renewWindow is the longest a leader may take, after a lease round
// began, to start the next one; a new leader waits this long past the
// newest lease its voters know of (lease.go).
func (c *Config) renewWindow() int64 { return c.leaseRenew() + c.ResendInterval }

// acceptTimeout bounds a collect or begin round: twice the lease, as Ceph.
func (c *Config) acceptTimeout() int64 { return 2 * c.LeaseDuration }

// skew is the most two monitors' clocks can disagree after running for
// local time t, plus a millisecond of slack.
func (c *Config) skew(t int64) int64 { return 2*t/1_000_000*c.MaxDriftPPM + 1_000_000 }
