package collector

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/node/kvstore"
)

// The store layout (doc.go).
const (
	keyBase      = "col/base"
	keyTable     = "col/table"
	keyConfirmed = "col/confirmed"
	prefixEvent  = "col/e/"
)

func eventKey(seq uint64) string { return fmt.Sprintf("%s%020d", prefixEvent, seq) }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func getU64(s *kvstore.Store, key string) uint64 {
	b, ok := s.Get(key)
	if !ok || len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// errStoreMissing is the open error for a store that is not there after the
// collector's first start.
var errStoreMissing = errors.New("store directory missing")

// open opens the store and loads the log; false if the collector stopped.
func (c *Collector) open() bool {
	err := errStoreMissing
	if _, statErr := c.env.FS().Stat(c.cfg.Dir); statErr == nil || c.cfg.Mkfs {
		for range c.cfg.OpenRetries {
			if c.store, err = kvstore.Open(c.env.FS(), c.cfg.Dir, c.storeOptions()); err == nil {
				break
			}
		}
	}
	if err == nil {
		err = c.load()
	}
	if err != nil {
		c.reached(ProbeOpenFailed)
		c.fail(err)
		return false
	}
	return true
}

func (c *Collector) storeOptions() kvstore.Options {
	o := c.cfg.Store
	o.Point = func(p kvstore.Point) { c.env.Point(Point(p)) }
	o.Reached = func(p kvstore.CodeProbe) { c.env.Reached(node.CodeProbe(p)) }
	return o
}

// load reads the log. The log ends at the confirmed mark; events stored
// past it lie past a gap, and are kept, not trusted: the collector resumes
// after its last confirmed event.
func (c *Collector) load() error {
	s := c.store
	c.base, c.confirmed = getU64(s, keyBase), getU64(s, keyConfirmed)
	b, _ := s.Get(keyTable)
	table, err := node.DecodeCollectorTable(b)
	if err != nil {
		return err
	}
	var stored []node.CollectorEvent
	s.Iterate(prefixEvent, func(k string, v []byte) bool {
		var ev node.CollectorEvent
		seq, perr := strconv.ParseUint(strings.TrimPrefix(k, prefixEvent), 10, 64)
		if ev, err = node.DecodeCollectorEvent(v); err == nil && (perr != nil || ev.Seq != seq) {
			err = fmt.Errorf("event stored under %s is numbered %d", k, ev.Seq)
		}
		stored = append(stored, ev)
		return err == nil
	})
	if err != nil {
		return err
	}
	if c.cfg.Bugs.CatchupFromReceived && len(stored) > 0 {
		c.confirmed = max(c.confirmed, stored[len(stored)-1].Seq) // the bug: resume after the last one received
	}
	c.ahead = map[uint64]node.CollectorEvent{}
	next := c.base + 1
	for _, ev := range stored {
		switch {
		case ev.Seq < next:
			continue // below the full state: a leftover the install removed from its batch's view
		case ev.Seq > c.confirmed:
			c.ahead[ev.Seq] = ev
			continue
		case ev.Seq != next && !c.cfg.Bugs.CatchupFromReceived:
			return fmt.Errorf("%w: event %d missing below the confirmed event %d", kvstore.ErrCorrupt, next, c.confirmed)
		}
		table.Apply(ev)
		next = ev.Seq + 1
	}
	if next <= c.confirmed && !c.cfg.Bugs.CatchupFromReceived {
		return fmt.Errorf("%w: events %d..%d missing below the confirmed event", kvstore.ErrCorrupt, next, c.confirmed)
	}
	c.table = table
	if len(c.ahead) > 0 {
		c.reached(ProbeResumedAhead)
	}
	c.emit(Event{Kind: EvOpen, Confirmed: c.confirmed, Base: c.base, Hash: c.table.Hash(), Count: uint64(len(c.ahead))})
	for _, ev := range stored {
		if ev.Seq > c.confirmed {
			c.emit(Event{Kind: EvStored, Seq: ev.Seq, Record: ev, Ahead: true}) // found on disk past the gap
		}
	}
	return nil
}

// persist stores fresh events (sorted, none held yet) durably, with the
// confirmed mark the log reaches with them. It reports the intent first,
// then what is durable.
func (c *Collector) persist(fresh []node.CollectorEvent, confirmed uint64) bool {
	var b kvstore.Batch
	for _, ev := range fresh {
		b.Put(eventKey(ev.Seq), ev.Encode())
		c.emit(Event{Kind: EvStoring, Seq: ev.Seq, Record: ev})
	}
	if confirmed != c.confirmed {
		b.Put(keyConfirmed, u64(confirmed))
	}
	if !c.apply(&b) {
		return false
	}
	for _, ev := range fresh {
		c.emit(Event{Kind: EvStored, Seq: ev.Seq, Record: ev, Ahead: ev.Seq > confirmed})
	}
	return true
}

// persistFull replaces the log up to at by the full state at at; events
// stored past it stay, and the log goes on through those that follow it
// without a gap, up to confirmed.
func (c *Collector) persistFull(at uint64, table *node.CollectorTable, confirmed uint64) bool {
	var b kvstore.Batch
	c.store.Iterate(prefixEvent, func(k string, v []byte) bool {
		seq, err := strconv.ParseUint(strings.TrimPrefix(k, prefixEvent), 10, 64)
		if err == nil && seq <= at {
			b.Delete(k)
		}
		return err == nil && seq <= at
	})
	b.Put(keyBase, u64(at))
	b.Put(keyTable, table.Encode())
	b.Put(keyConfirmed, u64(confirmed))
	c.emit(Event{Kind: EvInstalling, Seq: at})
	if !c.apply(&b) {
		return false
	}
	c.emit(Event{Kind: EvFullState, Seq: at, Hash: table.Hash()})
	return true
}
