package kvstore

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/btree"
)

// Pages. The key space is divided into fixed ranges, chosen when a store is
// created (Options.PageBounds) and recorded in its MANIFEST: page i holds
// the keys k with bounds[i-1] <= k < bounds[i] (the first page starts at
// "", the last has no end). Each page of a checkpoint carries its own
// checksum and its page LSN: the LSN of the last batch that changed it
// (Batch.SetLSN; the owner's replicated version), or, for a page installed
// by InstallPages, the LSN it was installed at. A damaged page is reported
// as that page, not as a corrupt store, when the owner asks for it
// (Options.AllowDamagedPages): it can fetch the page from a replica and
// install it, while every other page stays.
//
// The redo rule (ARIES): a batch whose LSN is not above a page's LSN is
// not applied to that page, live or at recovery: the page already holds
// it. A batch with LSN 0 (not stamped) is always applied, and leaves the
// pages it touches at LSN 0: such batches are the owner's local writes and
// clears, which no replica's page can stand in for.

// layout is a store's division into pages.
type layout struct {
	bounds []string // strictly ascending, none empty
}

func newLayout(bounds []string) (layout, error) {
	for i, b := range bounds {
		if b == "" || i > 0 && b <= bounds[i-1] {
			return layout{}, fmt.Errorf("kvstore: page bounds must be non-empty and strictly ascending: %q", bounds)
		}
	}
	return layout{bounds: slices.Clone(bounds)}, nil
}

// pages is how many pages the layout has.
func (l layout) pages() int { return len(l.bounds) + 1 }

// pageOf is the page that holds key.
func (l layout) pageOf(key string) int {
	return sort.Search(len(l.bounds), func(i int) bool { return l.bounds[i] > key })
}

// span is page p's key range [lo, hi); hi "" means no end.
func (l layout) span(p int) (lo, hi string) {
	if p > 0 {
		lo = l.bounds[p-1]
	}
	if p < len(l.bounds) {
		hi = l.bounds[p]
	}
	return lo, hi
}

func (l layout) contains(p int, key string) bool {
	lo, hi := l.span(p)
	return key >= lo && (hi == "" || key < hi)
}

// prefixPages are the pages a key prefix overlaps, ascending.
func (l layout) prefixPages(prefix string) []int {
	first := l.pageOf(prefix)
	last := l.pages() - 1
	if end, ok := prefixEnd(prefix); ok {
		last = l.pageOf(end)
		if lo, _ := l.span(last); lo == end && last > first {
			last-- // the page starting at end holds none of the prefix
		}
	}
	out := make([]int, 0, last-first+1)
	for p := first; p <= last; p++ {
		out = append(out, p)
	}
	return out
}

// prefixEnd is the least key above every key with prefix, if there is one.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// PageInfo describes one page of a store.
type PageInfo struct {
	Page   int
	Lo, Hi string // the key range [Lo, Hi); Hi "" means no end
	LSN    uint64 // the page LSN
}

// Pair is one key and its value, as a page is exported and installed.
type Pair struct {
	Key   string
	Value []byte
}

// PageImage is a page's whole contents at an LSN, as InstallPages takes it.
type PageImage struct {
	Page  int
	LSN   uint64
	Pairs []Pair // ascending keys, all within the page
}

// Pages describes every page of the store: its range and its LSN.
func (s *Store) Pages() []PageInfo {
	out := make([]PageInfo, s.lay.pages())
	for p := range out {
		lo, hi := s.lay.span(p)
		out[p] = PageInfo{Page: p, Lo: lo, Hi: hi, LSN: s.pageLSN[p]}
	}
	return out
}

// PageOf is the page that holds key.
func (s *Store) PageOf(key string) int { return s.lay.pageOf(key) }

// Damaged lists the pages Open found damaged and no InstallPages has
// replaced yet. While any is listed the store is read-only (Apply fails
// with ErrDamaged) and reads of their keys find nothing.
func (s *Store) Damaged() []int {
	var out []int
	for p, d := range s.damaged {
		if d {
			out = append(out, p)
		}
	}
	return out
}

// ExportPage returns page p's pairs, ascending, and its LSN. It fails for a
// damaged page.
func (s *Store) ExportPage(p int) ([]Pair, uint64, error) {
	if p < 0 || p >= s.lay.pages() {
		return nil, 0, fmt.Errorf("kvstore: no page %d", p)
	}
	if s.damaged[p] {
		return nil, 0, fmt.Errorf("%w: page %d", ErrDamaged, p)
	}
	lo, hi := s.lay.span(p)
	var out []Pair
	s.tree.AscendGreaterOrEqual(item{key: lo}, func(it item) bool {
		if hi != "" && it.key >= hi {
			return false
		}
		out = append(out, Pair{Key: it.key, Value: append([]byte(nil), it.value...)})
		return true
	})
	return out, s.pageLSN[p], nil
}

// InstallPages replaces every damaged page with an image of it, each at its
// own LSN, and makes the result durable as a new generation: a level-2
// checkpoint of the whole state, switched to atomically like any other.
// The images must cover exactly the damaged pages. Afterwards the store is
// writable again; a later batch is applied to an installed page only if its
// LSN is above the page's. On error nothing durable changed, but the store
// is poisoned and must be reopened.
func (s *Store) InstallPages(images []PageImage) error {
	if s.closed {
		return ErrClosed
	}
	if s.err != nil {
		return fmt.Errorf("%w: %w", ErrPoisoned, s.err)
	}
	if err := s.checkImages(images); err != nil {
		return err
	}
	for _, img := range images {
		for _, kv := range img.Pairs {
			s.tree.ReplaceOrInsert(item{key: kv.Key, value: append([]byte(nil), kv.Value...)})
		}
		s.pageLSN[img.Page], s.damaged[img.Page] = img.LSN, false
	}
	s.degraded = false
	if err := s.switchGeneration(s.obsolete); err != nil {
		return s.poison(err)
	}
	s.obsolete = nil
	return nil
}

func (s *Store) checkImages(images []PageImage) error {
	if !s.degraded {
		return fmt.Errorf("kvstore: no damaged page to install")
	}
	seen := make([]bool, s.lay.pages())
	for _, img := range images {
		if img.Page < 0 || img.Page >= s.lay.pages() || !s.damaged[img.Page] || seen[img.Page] {
			return fmt.Errorf("kvstore: page %d is not damaged, or given twice", img.Page)
		}
		seen[img.Page] = true
		for i, kv := range img.Pairs {
			if !s.lay.contains(img.Page, kv.Key) || i > 0 && kv.Key <= img.Pairs[i-1].Key {
				return fmt.Errorf("kvstore: image of page %d: key %q out of order or outside the page", img.Page, kv.Key)
			}
		}
	}
	for p, d := range s.damaged {
		if d && !seen[p] {
			return fmt.Errorf("kvstore: damaged page %d has no image", p)
		}
	}
	return nil
}

// pageFilter decides, op by op, whether a batch of a given LSN is applied
// to the pages it touches, and records which pages it changed.
type pageFilter struct {
	lay     layout
	lsn     uint64
	pageLSN []uint64
	damaged []bool // ops on a damaged page are dropped: its contents are unknown
	honor   bool   // the redo rule holds; false only for the planted bug
	touched []bool
	held    bool // some page already held the batch
}

// applies says whether an op on page p is applied, and notes the touch.
func (f *pageFilter) applies(p int) bool {
	if f.damaged != nil && f.damaged[p] {
		return false
	}
	if f.lsn > 0 && f.lsn <= f.pageLSN[p] {
		f.held = true
		if f.honor {
			return false
		}
	}
	f.touched[p] = true
	return true
}

// stamp sets the LSN of every page the batch changed: the batch's, or 0
// for an unstamped batch.
func (f *pageFilter) stamp() {
	for p, t := range f.touched {
		switch {
		case !t:
		case f.lsn == 0:
			f.pageLSN[p] = 0
		default:
			f.pageLSN[p] = max(f.pageLSN[p], f.lsn)
		}
	}
}

// applyPaged applies a payload to t under f: each op only to the pages f
// lets it reach.
func applyPaged(t *btree.BTreeG[item], payload []byte, f *pageFilter) error {
	f.touched = make([]bool, f.lay.pages())
	err := decodeBatch(payload, func(op batchOp) {
		switch op.kind {
		case opPut:
			if f.applies(f.lay.pageOf(op.key)) {
				t.ReplaceOrInsert(item{key: op.key, value: append([]byte{}, op.value...)})
			}
		case opDelete:
			if f.applies(f.lay.pageOf(op.key)) {
				t.Delete(item{key: op.key})
			}
		case opDeletePrefix:
			for _, p := range f.lay.prefixPages(op.key) {
				if f.applies(p) {
					deletePrefixIn(t, op.key, f.lay, p)
				}
			}
		}
	})
	if err == nil {
		f.stamp()
	}
	return err
}

// deletePrefixIn removes the keys with prefix that page p holds.
func deletePrefixIn(t *btree.BTreeG[item], prefix string, l layout, p int) {
	lo, hi := l.span(p)
	var doomed []string
	t.AscendGreaterOrEqual(item{key: max(prefix, lo)}, func(it item) bool {
		if !strings.HasPrefix(it.key, prefix) || hi != "" && it.key >= hi {
			return false
		}
		doomed = append(doomed, it.key)
		return true
	})
	for _, k := range doomed {
		t.Delete(item{key: k})
	}
}
