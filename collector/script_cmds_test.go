package collector

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/node"
)

// The script commands. Every one may take show=(kinds...) to print only
// those events, message types, or "deliver", "timer", "point", "reached"
// lines.

type scriptCmd func(w *world, t *testing.T, td *datadriven.TestData)

var scriptCmds map[string]scriptCmd

func init() {
	scriptCmds = map[string]scriptCmd{
		"boot": func(w *world, t *testing.T, td *datadriven.TestData) { w.boot() },
		"crash": func(w *world, t *testing.T, td *datadriven.TestData) {
			w.fault(t, td, false, 0)
		},
		"power-loss": cmdPowerLoss, "tick": cmdTick, "record": cmdRecord, "trim": cmdTrim,
		"answer": cmdAnswer, "drop": cmdDrop, "serve": cmdServe, "push": cmdPush, "status": cmdStatus,
		"forget": func(w *world, t *testing.T, td *datadriven.TestData) { w.subFrom = -1 },
	}
}

func argInt(t *testing.T, td *datadriven.TestData, key string, def int) int {
	td.MaybeScanArgs(t, key, &def)
	return def
}

func argStr(t *testing.T, td *datadriven.TestData, key, def string) string {
	td.MaybeScanArgs(t, key, &def)
	return def
}

func cmdPowerLoss(w *world, t *testing.T, td *datadriven.TestData) {
	var mode faultfs.PowerMode
	if err := mode.UnmarshalText([]byte(argStr(t, td, "mode", "honest"))); err != nil {
		td.Fatalf(t, "%v", err)
	}
	w.fault(t, td, true, mode)
}

// fault cuts power or crashes now, or arms it at a probe point:
// power-loss at=collector/stored-ahead [nth=1] [mode=torn].
func (w *world) fault(t *testing.T, td *datadriven.TestData, power bool, mode faultfs.PowerMode) {
	if at := argStr(t, td, "at", ""); at != "" {
		w.traps = append(w.traps, wtrap{point: at, nth: w.points[at] + argInt(t, td, "nth", 1), power: power, mode: mode})
		w.printf("armed at %s", at)
		return
	}
	if power {
		w.printf("power cut (%s)", mode)
		w.fs.PowerLoss(mode)
	} else {
		w.printf("crashed")
		w.fs.Crash()
	}
	w.down()
}

func cmdTick(w *world, t *testing.T, td *datadriven.TestData) {
	for _, a := range td.CmdArgs {
		if d, err := time.ParseDuration(a.Key); err == nil && len(a.Vals) == 0 {
			w.tick(int64(d))
			return
		}
	}
	td.Fatalf(t, "tick needs a duration")
}

// cmdRecord commits events, as the leader would, and pushes them if a
// monitor holds the collector's subscription (unless nopush: the push is
// lost): record boot|status|stop [id=N | self] [to=S] [n=N] [nopush].
func cmdRecord(w *world, t *testing.T, td *datadriven.TestData) {
	change := map[string]node.CollectorChange{"boot": node.CollectorBoot, "status": node.CollectorStatus,
		"stop": node.CollectorStop}[td.CmdArgs[0].Key]
	if change == 0 {
		td.Fatalf(t, "record boot|status|stop")
	}
	id := argInt(t, td, "id", 1)
	if td.HasArg("self") {
		id = w.cfg.ID
	}
	from := w.last() + 1
	for range argInt(t, td, "n", 1) {
		table := w.tableAt(w.last())
		st, _ := table.Get(id)
		ev := node.CollectorEvent{Seq: w.last() + 1, Collector: id, Change: change, Inc: st.Inc,
			Status: uint64(argInt(t, td, "to", int(st.Status+1)%4))}
		switch change {
		case node.CollectorBoot:
			ev.Inc, ev.Nonce = st.Inc+1, uint64(1000+w.last())
			if td.HasArg("self") && w.c != nil {
				ev.Nonce, ev.Status = w.c.nonce, w.c.status
			}
		case node.CollectorStop:
			ev.Status = 0
		}
		w.log = append(w.log, ev)
		w.printf("event %s", fmtRecord(ev))
	}
	switch {
	case w.subFrom >= 0 && td.HasArg("nopush"):
		w.subNext = w.last() + 1 // pushed, and lost on the way
	case w.subFrom >= 0:
		w.pushRange(w.subFrom, max(from, w.subNext), w.last())
	}
}

// cmdTrim makes the monitors drop every event below first=N.
func cmdTrim(w *world, t *testing.T, td *datadriven.TestData) {
	w.first = uint64(argInt(t, td, "first", 1))
	w.printf("held %d..%d", w.first, w.last())
}

// take removes the queued messages of the listed types (all: none listed),
// oldest first, at most n=.
func (w *world) take(t *testing.T, td *datadriven.TestData) []wmsg {
	var types []string
	if a, ok := td.Arg("type"); ok {
		types = a.Vals
	}
	n := argInt(t, td, "n", -1)
	var got []wmsg
	kept := w.queue[:0]
	for _, m := range w.queue {
		if (types == nil || slices.Contains(types, m.m.Type.String())) && (n < 0 || len(got) < n) {
			got = append(got, m)
		} else {
			kept = append(kept, m)
		}
	}
	w.queue = kept
	return got
}

func cmdDrop(w *world, t *testing.T, td *datadriven.TestData) {
	for _, m := range w.take(t, td) {
		w.printf("dropped c->m%d %s", m.to, fmtMsg(&m.m))
	}
}

// cmdAnswer has each addressed monitor answer the matching queued
// messages; refuse makes it a monitor outside the quorum.
func cmdAnswer(w *world, t *testing.T, td *datadriven.TestData) {
	for _, m := range w.take(t, td) {
		w.answer(m, td.HasArg("refuse"))
	}
}

// cmdServe answers everything, and what the answers bring, until the
// collector sends nothing more; no time passes.
func cmdServe(w *world, t *testing.T, td *datadriven.TestData) {
	for range 100 {
		if len(w.queue) == 0 {
			return
		}
		m := w.queue[0]
		w.queue = w.queue[1:]
		w.answer(m, false)
	}
	td.Fatalf(t, "still talking after 100 answers")
}

func (w *world) answer(m wmsg, refuse bool) {
	first, last := w.held()
	switch m.m.Type {
	case node.MColBoot, node.MColStatus:
		reply := node.Msg{Type: node.MColAck}
		if !refuse {
			reply.FC, reply.LC, reply.Flags = first, last, node.FlagInQuorum
		}
		if !refuse && w.subFrom == m.to {
			reply.Flags |= node.FlagSubscribed
		}
		w.deliver(m.to, reply)
	case node.MColQuery:
		w.subFrom, w.subNext = m.to, last+1
		w.deliver(m.to, node.Msg{Type: node.MColSummary, FC: first, LC: last})
	case node.MColFetch:
		reply := node.Msg{Type: node.MColEvents, FC: first, LC: last}
		switch {
		case first == 0:
		case m.m.Has(node.FlagFull):
			table := w.tableAt(first)
			reply.Flags, reply.Value, reply.Hash = node.FlagFull, table.Encode(), table.Hash()
		case m.m.FC >= first:
			for s := m.m.FC; s <= min(m.m.LC, last) && len(reply.Versions) < 16; s++ {
				reply.Versions = append(reply.Versions, node.Version{V: s, Value: w.log[s-1].Encode()})
			}
		}
		w.deliver(m.to, reply)
	}
}

// pushRange pushes events from..to from monitor m.
func (w *world) pushRange(m int, from, to uint64) {
	if from > to {
		return
	}
	msg := node.Msg{Type: node.MColPush}
	for s := from; s <= to; s++ {
		msg.Versions = append(msg.Versions, node.Version{V: s, Value: w.log[s-1].Encode()})
	}
	w.subNext = to + 1
	w.deliver(m, msg)
}

// cmdPush pushes the listed events (push 7 9) from the subscribed monitor,
// or from=M.
func cmdPush(w *world, t *testing.T, td *datadriven.TestData) {
	from := argInt(t, td, "from", w.subFrom)
	msg := node.Msg{Type: node.MColPush}
	for _, a := range td.CmdArgs {
		if s, err := strconv.ParseUint(a.Key, 10, 64); err == nil && len(a.Vals) == 0 {
			msg.Versions = append(msg.Versions, node.Version{V: s, Value: w.log[s-1].Encode()})
		}
	}
	w.deliver(from, msg)
}

func cmdStatus(w *world, t *testing.T, td *datadriven.TestData) {
	c := w.c
	if c == nil {
		w.printf("down")
		return
	}
	ahead := slices.Sorted(func(yield func(uint64) bool) {
		for s := range c.ahead {
			if !yield(s) {
				return
			}
		}
	})
	var missing []uint64 // events of the log its store does not hold
	for s := c.base + 1; s <= c.confirmed; s++ {
		if _, ok := c.store.Get(eventKey(s)); !ok {
			missing = append(missing, s)
		}
	}
	target, online := c.Online()
	want := w.tableAt(c.confirmed)
	w.printf("confirmed=%d base=%d ahead=%v missing=%v registered=%t inc=%d target=m%d online=%t table-ok=%t",
		c.confirmed, c.base, ahead, missing, c.registered, c.inc, target, online, want.Hash() == c.table.Hash())
}
