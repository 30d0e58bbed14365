package node

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/monsim/monsim/node/kvstore"
)

// Pages of a monitor's store (kvstore/pages.go): fixed key ranges, each
// with its own checksum and page LSN in every checkpoint. The monitor's
// layout, fixed when its store is created:
//
//	client/            the replicated client result table, and in the
//	                   same page the collectors' events (events/)
//	kv/ .. kv/ke       the config keys, eight pages by their first letters
//	mon/               this monitor's own metadata: promises, accepted
//	                   value, epoch, sync floor, repair mark, LSN vectors
//	paxos/ .. paxos/v/ the version head: first_committed, last_committed
//	paxos/v/...        the versions, a page per 500
//
// plus the (empty) ranges between them. The replicated pages hold the same
// bytes on every monitor at the same version, so a damaged one can be
// fetched from another monitor. The metadata page and the version head are
// local: a peer's promise is not this monitor's, and the head says which
// version every other page is at.
func pageBounds() []string {
	b := []string{prefixClient, prefixKV}
	for _, c := range "2468ace" {
		b = append(b, prefixKV+"k"+string(c))
	}
	b = append(b, prefixLocal, localEnd, prefixPaxos, prefixVersion)
	for v := uint64(versionPage); v <= versionPages*versionPage; v += versionPage {
		b = append(b, versionKey(v))
	}
	return b
}

const (
	localEnd     = "mon0" // the first key past every mon/ key
	versionPage  = 500    // versions per page
	versionPages = 8      // pages of versions before the last, open-ended one
)

// localPage says whether page p holds any of the monitor's own metadata or
// its version head: damage there is a whole-store matter.
func localPage(p kvstore.PageInfo) bool {
	overlaps := func(lo, hi string) bool { return p.Lo < hi && (p.Hi == "" || lo < p.Hi) }
	return overlaps(prefixLocal, localEnd) || overlaps(prefixPaxos, prefixVersion)
}

// PageOf is the page of a monitor's store that holds a raw store key
// (such as "kv/k0" or "mon/epoch"), in the layout a new store gets.
func PageOf(key string) int {
	bounds := pageBounds()
	return sort.Search(len(bounds), func(i int) bool { return bounds[i] > key })
}

// pageTargetPrefix starts every page target's name: "page-5" is page 5.
const pageTargetPrefix = "page-"

// PageTargets lists a target for every page of a monitor's store, to
// damage exactly that page of its live checkpoint.
func PageTargets() []Target {
	n := len(pageBounds()) + 1
	out := make([]Target, n)
	for p := range out {
		out[p] = Target(fmt.Sprintf("%s%d", pageTargetPrefix, p))
	}
	return out
}

// TargetPage says which page a page target names.
func TargetPage(t Target) (int, bool) {
	rest, ok := strings.CutPrefix(string(t), pageTargetPrefix)
	if !ok {
		return 0, false
	}
	p, err := strconv.Atoi(rest)
	return p, err == nil && p >= 0 && p <= len(pageBounds()) && strconv.Itoa(p) == rest
}

// PageLocator finds, in a checkpoint file's bytes, the extent a page target
// names; nil for a target that is not a page's.
func PageLocator(t Target) func(data []byte) (off, n int64, ok bool) {
	p, ok := TargetPage(t)
	if !ok {
		return nil
	}
	return func(data []byte) (int64, int64, bool) { return kvstore.PageExtent(data, p) }
}
