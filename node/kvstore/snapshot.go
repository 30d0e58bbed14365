package kvstore

import (
	"bytes"
	"strings"

	"github.com/google/btree"
)

// Reader is the read side shared by a Store and its Snapshots.
type Reader interface {
	// Get returns a copy of key's value, and whether key is present.
	Get(key string) ([]byte, bool)
	// Iterate calls fn for each key with the given prefix, in ascending byte
	// order, until fn returns false. value is a copy fn may keep.
	Iterate(prefix string, fn func(key string, value []byte) bool)
	// IterateFrom is Iterate starting at the first key >= start: the way to
	// resume a chunked scan after the last key sent.
	IterateFrom(prefix, start string, fn func(key string, value []byte) bool)
}

// Snapshot is an immutable point-in-time view of a Store, for sync
// providers. Later Applies do not change it. It shares structure with the
// store copy-on-write, so taking one is cheap. It needs no closing.
type Snapshot struct {
	tree *btree.BTreeG[item]
}

var (
	_ Reader = (*Snapshot)(nil)
	_ Reader = (*Store)(nil)
)

// Get returns a copy of key's value, and whether key is present.
func (s *Snapshot) Get(key string) ([]byte, bool) { return treeGet(s.tree, key) }

// Iterate calls fn for each key with prefix in ascending order until fn
// returns false.
func (s *Snapshot) Iterate(prefix string, fn func(key string, value []byte) bool) {
	treeIterate(s.tree, prefix, prefix, fn)
}

// IterateFrom is Iterate starting at the first key >= start.
func (s *Snapshot) IterateFrom(prefix, start string, fn func(key string, value []byte) bool) {
	treeIterate(s.tree, prefix, start, fn)
}

// item is one key/value pair. Values held by a tree are never modified in
// place: an overwrite replaces the item.
type item struct {
	key   string
	value []byte
}

func itemLess(a, b item) bool { return a.key < b.key }

func newTree() *btree.BTreeG[item] { return btree.NewG(16, itemLess) }

func treeGet(t *btree.BTreeG[item], key string) ([]byte, bool) {
	it, ok := t.Get(item{key: key})
	if !ok {
		return nil, false
	}
	return bytes.Clone(it.value), true
}

func treeIterate(t *btree.BTreeG[item], prefix, start string, fn func(string, []byte) bool) {
	start = max(start, prefix)
	t.AscendGreaterOrEqual(item{key: start}, func(it item) bool {
		if !strings.HasPrefix(it.key, prefix) {
			return false
		}
		return fn(it.key, bytes.Clone(it.value))
	})
}
