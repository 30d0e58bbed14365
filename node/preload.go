package node

import (
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/monsim/monsim/node/kvstore"
)

// Preload writes, before a monitor's first start, a store holding n config
// keys as if a cluster had committed them: keys and values come from kv,
// and the history is one version, 2 (first_committed 2, so a monitor with
// an empty store needs a full sync to join). Every monitor preloaded alike
// holds the same history. It is for measuring big stores, which would
// take hours of simulated paxos to fill one key at a time.
func Preload(fs vfs.FS, cfg Config, n int, kv func(i int) (string, []byte)) error {
	cfg = cfg.withDefaults()
	if err := fs.MkdirAll(parentDir(cfg.Dir), 0o755); err != nil {
		return err
	}
	s, err := kvstore.Open(fs, cfg.Dir, cfg.Store)
	if err != nil {
		return err
	}
	const perBatch = 10_000
	var b kvstore.Batch
	for i := range n {
		k, v := kv(i)
		b.Put(prefixKV+k, v)
		if b.Len() == perBatch || i == n-1 {
			if err := s.Apply(&b, true); err != nil {
				return err
			}
			b.Reset()
		}
	}
	const v = 2
	b.Put(versionKey(v), (&txn{}).encode())
	b.Put(keyFC, u64(v))
	b.Put(keyLC, u64(v))
	if err := s.Apply(&b, true); err != nil {
		return err
	}
	return s.Close()
}
