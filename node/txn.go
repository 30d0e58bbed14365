package node

import (
	"errors"
	"fmt"
)

// A paxos version's value is a transaction on the replicated state: puts
// and deletes of config keys (one at a time or by prefix), the outcome of
// each client request it serves (so a retried request is answered, not
// applied twice), and trims.

type txnOpKind uint8

const (
	txPut txnOpKind = iota + 1
	txDelete
	txResult    // client Client's request ReqID finished with Status
	txTrim      // versions below Trim are dropped
	txEvent     // a collector event is recorded (its Seq is the next number)
	txEventTrim // collector events below Trim are dropped, folded into the full state kept
	// txDeletePrefix removes every config key starting with key.
	txDeletePrefix
)

type txnOp struct {
	kind   txnOpKind
	key    string
	value  []byte
	result clientResult
	trim   uint64
	event  CollectorEvent
}

// clientResult is what the replicated table remembers of a client's last
// write.
type clientResult struct {
	client  uint64
	reqID   uint64
	status  Status
	version uint64
}

type txn struct{ ops []txnOp }

func (t *txn) encode() []byte {
	e := encoder{b: make([]byte, 0, 64)}
	e.uvarint(uint64(len(t.ops)))
	for i := range t.ops {
		op := &t.ops[i]
		e.u8(uint8(op.kind))
		switch op.kind {
		case txPut:
			e.str(op.key)
			e.bytes(op.value)
		case txDelete, txDeletePrefix:
			e.str(op.key)
		case txResult:
			op.result.encode(&e)
		case txTrim, txEventTrim:
			e.uvarint(op.trim)
		case txEvent:
			op.event.encode(&e)
		}
	}
	return e.b
}

var errBadTxn = errors.New("malformed transaction")

func decodeTxn(b []byte) (txn, error) {
	d := decoder{b: b}
	n := d.count()
	t := txn{ops: make([]txnOp, 0, n)}
	for range n {
		op := txnOp{kind: txnOpKind(d.u8())}
		switch op.kind {
		case txPut:
			op.key, op.value = d.str(), d.bytes()
		case txDelete, txDeletePrefix:
			op.key = d.str()
		case txResult:
			op.result.decode(&d)
		case txTrim, txEventTrim:
			op.trim = d.uvarint()
		case txEvent:
			op.event.decode(&d)
		default:
			return txn{}, fmt.Errorf("%w: op kind %d", errBadTxn, op.kind)
		}
		t.ops = append(t.ops, op)
	}
	if d.err != nil || len(d.b) != 0 {
		return txn{}, errBadTxn
	}
	return t, nil
}

func (r *clientResult) encode(e *encoder) {
	e.uvarint(r.client)
	e.uvarint(r.reqID)
	e.u8(uint8(r.status))
	e.uvarint(r.version)
}

func (r *clientResult) decode(d *decoder) {
	r.client = d.uvarint()
	r.reqID = d.uvarint()
	r.status = Status(d.u8())
	r.version = d.uvarint()
}
