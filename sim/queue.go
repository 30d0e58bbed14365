package sim

// evKind tags an event so dispatch is a switch, not a closure call: events
// are plain values and the queue never allocates per event.
type evKind uint8

const (
	evDeliver evKind = iota // a message arrives at node
	evTimer                 // a node timer fires
	evStart                 // a node process boots
	evFault                 // a planned fault, arg = index into the plan
	evCall                  // a harness callback, arg = index into Kernel.calls
)

var evKindNames = [...]string{"deliver", "timer", "start", "fault", "call"}

func (k evKind) String() string { return evKindNames[k] }

// event is one scheduled happening. Ordered by (at, seq): seq is the global
// insertion counter, so events at the same instant run in scheduling order.
type event struct {
	at   int64
	seq  uint64
	msg  []byte // evDeliver: the payload
	arg  uint64 // evDeliver: sender; evTimer: TimerID; evFault/evCall: index
	node int32  // target node, -1 for none
	inc  uint32 // target's incarnation when scheduled (timers, starts)
	kind evKind
}

func (e *event) before(o *event) bool {
	return e.at < o.at || (e.at == o.at && e.seq < o.seq)
}

// queue is a hand-written binary min-heap of event values. container/heap
// would box every event in an interface; this keeps them inline.
type queue struct {
	items []event
}

func (q *queue) len() int { return len(q.items) }

func (q *queue) push(e event) {
	q.items = append(q.items, e)
	q.up(len(q.items) - 1)
}

// peek returns the earliest event without removing it. The queue must not be
// empty.
func (q *queue) peek() *event { return &q.items[0] }

func (q *queue) pop() event {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items[last] = event{} // drop the payload reference
	q.items = q.items[:last]
	if last > 0 {
		q.down(0)
	}
	return top
}

func (q *queue) up(i int) {
	items := q.items
	e := items[i]
	for i > 0 {
		parent := (i - 1) / 2
		if !e.before(&items[parent]) {
			break
		}
		items[i] = items[parent]
		i = parent
	}
	items[i] = e
}

func (q *queue) down(i int) {
	items := q.items
	n := len(items)
	e := items[i]
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if r := child + 1; r < n && items[r].before(&items[child]) {
			child = r
		}
		if !items[child].before(&e) {
			break
		}
		items[i] = items[child]
		i = child
	}
	items[i] = e
}
