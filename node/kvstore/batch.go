package kvstore

import (
	"encoding/binary"
	"errors"
)

// Batch is an atomic transaction: its operations are applied in order, and
// entirely or not at all, in memory and after any crash. The zero value is
// an empty batch ready to use.
//
// A batch is kept in its log encoding, so Put copies the value in at once:
// the caller may reuse its buffer as soon as Put returns.
type Batch struct {
	payload []byte
	lsn     uint64
}

// SetLSN stamps the batch with the owner's log sequence number for it (a
// monitor uses the replicated version the batch commits): the batch is
// not applied to a page whose LSN is already at or above it, and it raises
// the LSN of every page it changes. An unstamped batch (LSN 0) is always
// applied and leaves the pages it changes at LSN 0.
func (b *Batch) SetLSN(lsn uint64) { b.lsn = lsn }

// Operation kinds as written in a record's payload.
const (
	opPut          byte = 1
	opDelete       byte = 2
	opDeletePrefix byte = 3
)

// Put sets key to value.
func (b *Batch) Put(key string, value []byte) {
	b.payload = append(b.payload, opPut)
	b.payload = appendString(b.payload, key)
	b.payload = binary.AppendUvarint(b.payload, uint64(len(value)))
	b.payload = append(b.payload, value...)
}

// Delete removes key, if present.
func (b *Batch) Delete(key string) {
	b.payload = append(b.payload, opDelete)
	b.payload = appendString(b.payload, key)
}

// DeletePrefix removes every key that starts with prefix. The empty prefix
// removes everything.
func (b *Batch) DeletePrefix(prefix string) {
	b.payload = append(b.payload, opDeletePrefix)
	b.payload = appendString(b.payload, prefix)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

var errBadPayload = errors.New("malformed batch payload")

// batchOp is one decoded operation. value aliases the payload it was
// decoded from.
type batchOp struct {
	kind  byte
	key   string
	value []byte
}

// decodeBatch calls fn for each operation in payload, in order. It checks
// the whole payload before calling fn once, so a malformed payload applies
// nothing.
func decodeBatch(payload []byte, fn func(op batchOp)) error {
	if err := walkBatch(payload, nil); err != nil {
		return err
	}
	return walkBatch(payload, fn)
}

func walkBatch(payload []byte, fn func(op batchOp)) error {
	for len(payload) > 0 {
		var op batchOp
		op.kind = payload[0]
		payload = payload[1:]
		var key []byte
		var ok bool
		if key, payload, ok = cutBytes(payload); !ok {
			return errBadPayload
		}
		switch op.kind {
		case opPut:
			if op.value, payload, ok = cutBytes(payload); !ok {
				return errBadPayload
			}
		case opDelete, opDeletePrefix:
		default:
			return errBadPayload
		}
		if fn != nil {
			op.key = string(key)
			fn(op)
		}
	}
	return nil
}

// cutBytes splits a uvarint-length-prefixed byte string off the front of b.
func cutBytes(b []byte) (field, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, b, false
	}
	end := w + int(n)
	return b[w:end:end], b[end:], true
}
