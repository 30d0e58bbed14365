package node

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"

	"github.com/monsim/monsim/node/kvstore"
)

// Store layout. Replicated keys are identical on every monitor at the same
// version and are what a full sync copies; local keys are this monitor's
// own promises and progress, never copied.
const (
	keyFC           = "paxos/fc"
	keyLC           = "paxos/lc"
	prefixVersion   = "paxos/v/"
	prefixKV        = "kv/"
	prefixClient    = "client/"
	prefixPaxos     = "paxos/"
	keyEpoch        = "mon/epoch"
	keyAcceptedPN   = "mon/accepted_pn"
	keyLastPN       = "mon/last_pn"
	keyPendingV     = "mon/pending_v"
	keyPendingPN    = "mon/pending_pn"
	keyPendingVal   = "mon/pending_val"
	keyInSync       = "mon/in_sync"
	keySyncFloor    = "mon/sync_floor"
	keySyncProgress = "mon/sync_progress"
	keyRepairMark   = "mon/repair"
	keyRejoinAbove  = "mon/rejoin_above"
	// The collectors' events (record.go): the events kept, first..last,
	// the table after the first (what a collector behind the trim takes
	// instead) and the table after the last.
	prefixEvents     = "events/"
	prefixEvent      = "events/e/"
	keyEventsFirst   = "events/first"
	keyEventsLast    = "events/last"
	keyEventsBase    = "events/base"
	keyEventsCurrent = "events/table"
	keyLSNVectors    = "mon/lsn_vectors"
	prefixLocal      = "mon/"
)

// replicatedPrefixes are cleared at the start of a full sync and copied by
// one.
var replicatedPrefixes = []string{prefixPaxos, prefixKV, prefixClient, prefixEvents}

func versionKey(v uint64) string { return fmt.Sprintf("%s%020d", prefixVersion, v) }
func clientKey(c uint64) string  { return fmt.Sprintf("%s%020d", prefixClient, c) }
func eventKey(seq uint64) string { return fmt.Sprintf("%s%020d", prefixEvent, seq) }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func getU64(r kvstore.Reader, key string) uint64 {
	b, ok := r.Get(key)
	if !ok || len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// pairHash is one key/value's share of the state hash. The state hash is
// the sum over every state key, so it is order-independent and can be
// updated one key at a time.
func pairHash(key string, value []byte) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write(value)
	return h.Sum64()
}

// computeStateHash hashes the whole service state of r.
func computeStateHash(r kvstore.Reader) uint64 {
	var sum uint64
	for _, p := range []string{prefixClient, prefixKV, prefixEvents} {
		r.Iterate(p, func(k string, v []byte) bool {
			sum += pairHash(k, v)
			return true
		})
	}
	return sum
}

// TxnHash is the digest the ledger compares per version.
func TxnHash(value []byte) uint64 {
	h := fnv.New64a()
	h.Write(value)
	return h.Sum64()
}
