package checker

import "fmt"

// Durability proves a single store never loses a synced batch and never
// shows a partial one. The workload reports the state hash after every batch
// it applies and whether that batch was synced; after each crash or power
// loss it reports the hash of what the store recovered. The recovered state
// must equal the state after some batch k, where k is at least the last
// synced batch and at most the last applied one.
//
// It does not prove that unsynced batches survive (they need not), and it
// compares 64-bit state hashes, so it inherits their (negligible) collision
// chance.
type Durability struct {
	hashes []uint64 // hashes[i]: state after batch i of this history; [0] is the start
	synced int      // index of the last synced batch
}

// NewDurability starts a history at a state with the given hash.
func NewDurability(start uint64) *Durability {
	return &Durability{hashes: []uint64{start}}
}

// Applied records one applied batch and the state hash after it.
func (d *Durability) Applied(hash uint64, synced bool) {
	d.hashes = append(d.hashes, hash)
	if synced {
		d.synced = len(d.hashes) - 1
	}
}

// Synced records that everything applied so far is durable (an explicit
// sync after unsynced batches).
func (d *Durability) Synced() { d.synced = len(d.hashes) - 1 }

// Recovered checks a recovered state. On success the history continues from
// the recovered batch, which becomes the new durable floor.
func (d *Durability) Recovered(at int64, node int, hash uint64) *Violation {
	for k := len(d.hashes) - 1; k >= d.synced; k-- {
		if d.hashes[k] == hash {
			d.hashes = d.hashes[:k+1]
			d.synced = k
			return nil
		}
	}
	reason := fmt.Sprintf("recovered state %016x is no prefix of the applied batches from the last synced one (#%d) to the last applied (#%d)",
		hash, d.synced, len(d.hashes)-1)
	for k := d.synced - 1; k >= 0; k-- {
		if d.hashes[k] == hash {
			reason = fmt.Sprintf("synced batches lost: recovered the state after batch #%d, but batch #%d was synced", k, d.synced)
			break
		}
	}
	return &Violation{Checker: NameKVDurability, Node: node, At: at, Reason: reason}
}
