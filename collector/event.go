package collector

import (
	"fmt"

	"github.com/monsim/monsim/node"
)

// EventKind says what an Event reports.
type EventKind uint8

// The events a collector emits. The checkers rebuild its log from them: an
// event reporting something durable is emitted only once it is durable, and
// the intent to write (EvStoring, EvInstalling) before the write, so that
// a power cut in between leaves the checker knowing what may be on disk.
const (
	EvOpen        EventKind = iota + 1 // store opened: Confirmed, Base, Hash = table after Confirmed, Count = events stored past a gap
	EvStoreFailed                      // the store failed: Detail; the collector stops
	EvStoring                          // about to store Record durably
	EvStored                           // Record is durable (or, after EvOpen, was found on disk); Ahead: it lies past a gap, outside the log
	EvConfirmed                        // the log now ends at Seq: Hash = the table after it
	EvInstalling                       // about to replace the log up to Seq by the full state at Seq
	EvFullState                        // the full state at Seq is durable and starts the log: Hash
	EvSession                          // monitor Peer acked it: a session began (Peer -1: the session was lost)
	EvQuery                            // asked Peer what follows Confirmed (catch-up step 1)
	EvFetch                            // asked Peer for events From..To, or (Full) the full state (step 3); Retry: again, after FetchTimeout
	EvFetched                          // Peer answered the fetch From..To (Full): Count events, New of them not held
	EvRegistered                       // its own boot (Inc, its session Nonce) is in its log
	EvMarkedDown                       // its log says it was marked down (Inc): it boots again, in a new session
	EvCaughtUp                         // a catch-up ended: the log holds every event its monitor held (Seq = the last)
	numEventKinds
)

var eventNames = [...]string{"", "col-open", "col-store-failed", "col-storing", "col-stored", "col-confirmed",
	"col-installing", "col-full-state", "col-session", "col-query", "col-fetch", "col-fetched", "col-registered",
	"col-marked-down", "col-caught-up"}

func (k EventKind) String() string {
	if k > 0 && k < numEventKinds {
		return eventNames[k]
	}
	return fmt.Sprintf("col-event-%d", k)
}

// EventKinds lists every event kind.
func EventKinds() []EventKind {
	out := make([]EventKind, 0, numEventKinds-1)
	for k := EvOpen; k < numEventKinds; k++ {
		out = append(out, k)
	}
	return out
}

// MarshalText writes the kind's name.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads an event kind's name; an unknown name is an error.
func (k *EventKind) UnmarshalText(b []byte) error {
	for _, c := range EventKinds() {
		if eventNames[c] == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown collector event %q", b)
}

// Event is one fact a collector reports. Fields not named by the kind's
// comment are zero.
type Event struct {
	Kind      EventKind
	Collector int
	Seq       uint64
	Confirmed uint64
	Base      uint64
	From, To  uint64
	Count     uint64
	New       uint64
	Hash      uint64
	Inc       uint64
	Nonce     uint64
	Peer      int
	Full      bool
	Ahead     bool
	Retry     bool
	Record    node.CollectorEvent
	Detail    string // for people: why, in words
}
