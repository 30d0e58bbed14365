package collector

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/node"
)

// TestScripts runs the collector's story in testdata/: one collector over a
// hand-stepped world in which the script plays the monitors. The script
// records the events the monitors commit, trims them, and answers (or
// loses) what the collector sends. Regenerate the expected output with
// go test ./collector/ -run TestScripts -rewrite.
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var w *world
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd == "collector" {
				w = newWorld(t, td)
				return "ok\n"
			}
			cmd, ok := scriptCmds[td.Cmd]
			if !ok || w == nil {
				td.Fatalf(t, "unknown command %q (or no collector yet)", td.Cmd)
			}
			w.show = nil
			if a, ok := td.Arg("show"); ok {
				w.show = map[string]bool{}
				for _, v := range a.Vals {
					w.show[v] = true
				}
			}
			cmd(w, t, td)
			return w.flush()
		})
	})
}

// world is one collector and the monitors the script plays: the events
// they committed (log[i] is event i+1), the first they still hold, and
// which monitor pushes new events to the collector from which event on.
type world struct {
	cfg    Config
	fs     *faultfs.FS
	rand   *rng.Stream
	c      *Collector // nil while down
	booted bool
	now    int64
	seq    int64
	timers []wtimer
	queue  []wmsg // what the collector sent, not yet answered or lost
	outbox []wmsg
	traps  []wtrap
	points map[string]int

	log     []node.CollectorEvent
	first   uint64
	subFrom int    // the monitor that pushes, -1 for none
	subNext uint64 // the next event it pushes

	show map[string]bool
	out  strings.Builder
}

type wtimer struct {
	at, seq int64
	id      TimerID
	tag     uint64
}

type wmsg struct {
	to int
	m  node.Msg
}

// wtrap cuts power (or crashes the process) the nth time a point passes.
type wtrap struct {
	point string
	nth   int
	power bool
	mode  faultfs.PowerMode
}

// halt unwinds a handler cut by a trap.
type halt struct{}

func newWorld(t *testing.T, td *datadriven.TestData) *world {
	seed := uint64(argInt(t, td, "seed", 1))
	cfg := Config{ID: argInt(t, td, "id", 7), Monitors: argInt(t, td, "monitors", 3),
		FetchMax: argInt(t, td, "fetch-max", 4), StatusEvery: argInt(t, td, "status-every", 0)}
	if a, ok := td.Arg("bugs"); ok {
		for _, b := range a.Vals {
			if err := cfg.Bugs.Enable(node.Bug(b)); err != nil {
				td.Fatalf(t, "%v", err)
			}
		}
	}
	return &world{cfg: cfg, fs: faultfs.New(faultfs.Options{Rand: rng.New(seed, "disk")}),
		rand: rng.New(seed, "collector"), points: map[string]int{}, first: 1, subFrom: -1}
}

// The collector's Env over the world.
type wenv struct{ w *world }

func (e wenv) Now() int64 { return e.w.now }
func (e wenv) SetTimer(d int64, tag uint64) TimerID {
	e.w.seq++
	e.w.timers = append(e.w.timers, wtimer{at: e.w.now + max(d, 0), seq: e.w.seq, id: TimerID(e.w.seq), tag: tag})
	return TimerID(e.w.seq)
}
func (e wenv) CancelTimer(id TimerID) {
	e.w.timers = slices.DeleteFunc(e.w.timers, func(t wtimer) bool { return t.id == id })
}
func (e wenv) Rand() uint64 { return e.w.rand.Uint64() }
func (e wenv) Send(to int, b []byte) {
	m, err := node.DecodeMsg(b)
	if err != nil {
		panic(err)
	}
	e.w.outbox = append(e.w.outbox, wmsg{to: to, m: m})
}
func (e wenv) FS() vfs.FS               { return e.w.fs }
func (e wenv) Point(p Point)            { e.w.point(string(p)) }
func (e wenv) Emit(ev Event)            { e.w.log1(ev.Kind.String(), "  %s", fmtEvent(&ev)) }
func (e wenv) Reached(p node.CodeProbe) { e.w.log1("reached", "  reached %s", p) }
func (e wenv) Stopped(err error)        { e.w.printf("  stopped: %v", err) }

func (w *world) point(name string) {
	w.points[name]++
	w.log1("point", "  point %s", name)
	for i, t := range w.traps {
		if t.point != name || t.nth != w.points[name] {
			continue
		}
		w.traps = slices.Delete(w.traps, i, i+1)
		if t.power {
			w.printf("  power cut (%s) at %s", t.mode, name)
			w.fs.PowerLoss(t.mode)
		} else {
			w.printf("  crashed at %s", name)
			w.fs.Crash()
		}
		w.down()
		panic(halt{})
	}
}

func (w *world) down() {
	w.c, w.timers, w.subFrom = nil, nil, -1
}

// call runs one handler, then puts what it sent on the wire, unless a trap
// cut it short.
func (w *world) call(f func(c *Collector)) {
	if w.c == nil {
		w.printf("  (the collector is down)")
		return
	}
	w.outbox = nil
	if w.invoke(f) {
		if len(w.outbox) > 0 {
			w.printf("  %d unsent message(s) lost", len(w.outbox))
		}
		w.outbox = nil
		return
	}
	for _, m := range w.outbox {
		w.log1(m.m.Type.String(), "  c->m%d %s", m.to, fmtMsg(&m.m))
		w.queue = append(w.queue, m)
	}
	w.outbox = nil
}

func (w *world) invoke(f func(c *Collector)) (halted bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(halt); !ok {
				panic(r)
			}
			halted = true
		}
	}()
	f(w.c)
	return false
}

func (w *world) boot() {
	if w.c != nil {
		w.printf("already up")
		return
	}
	cfg := w.cfg
	cfg.Mkfs, w.booted = !w.booted, true
	w.c = New(cfg, wenv{w})
	w.printf("boot")
	w.call((*Collector).Start)
}

// tick advances the clock by d, firing every timer due on the way.
func (w *world) tick(d int64) {
	until := w.now + d
	for w.c != nil {
		i := -1
		for j, t := range w.timers {
			if t.at <= until && (i < 0 || t.at < w.timers[i].at || t.at == w.timers[i].at && t.seq < w.timers[i].seq) {
				i = j
			}
		}
		if i < 0 {
			break
		}
		t := w.timers[i]
		w.timers = slices.Delete(w.timers, i, i+1)
		w.now = max(w.now, t.at)
		w.log1("timer", "timer %s at %s", timerName(t.tag), fmtTime(w.now))
		w.call(func(c *Collector) { c.Fire(t.id, t.tag) })
	}
	w.now = until
}

// deliver hands the collector a message from monitor from.
func (w *world) deliver(from int, m node.Msg) {
	m.From = from
	w.log1("deliver", "m%d->c %s", from, fmtMsg(&m))
	b := m.Encode()
	w.call(func(c *Collector) { c.Deliver(from, b) })
}

// tableAt is the committed table after event seq.
func (w *world) tableAt(seq uint64) node.CollectorTable {
	var t node.CollectorTable
	for _, ev := range w.log[:seq] {
		t.Apply(ev)
	}
	return t
}

func (w *world) last() uint64 { return uint64(len(w.log)) }

// held is the first and last event the monitors hold (0, 0: none).
func (w *world) held() (uint64, uint64) {
	if len(w.log) == 0 {
		return 0, 0
	}
	return w.first, w.last()
}

// quiet are the kinds of line printed only when show= names them.
var quiet = []string{"point", "reached", "timer", "col-storing", "col-installing"}

func (w *world) log1(kind, format string, a ...any) {
	k, _, _ := strings.Cut(kind, ":")
	if w.show == nil && slices.Contains(quiet, kind) || w.show != nil && !w.show[kind] && !w.show[k] {
		return
	}
	w.printf(format, a...)
}

func (w *world) printf(format string, a ...any) {
	fmt.Fprintf(&w.out, format, a...)
	w.out.WriteByte('\n')
}

func (w *world) flush() string {
	s := w.out.String()
	w.out.Reset()
	if s == "" {
		return "ok\n"
	}
	return s
}
