package node

import "fmt"

// OpKind is a client operation on the config-key store.
type OpKind uint8

const (
	OpGet OpKind = iota + 1
	OpPut
	OpCas          // set Value if the key currently holds Expect
	OpDelete       // remove the key; not found is still a success
	OpDeletePrefix // remove every key that starts with Key; none found is still a success
)

func (k OpKind) String() string {
	switch k {
	case OpGet:
		return "get"
	case OpPut:
		return "put"
	case OpCas:
		return "cas"
	case OpDelete:
		return "delete"
	case OpDeletePrefix:
		return "delete-prefix"
	}
	return fmt.Sprintf("op-%d", k)
}

// IsWrite reports whether the op goes through paxos.
func (k OpKind) IsWrite() bool { return k != OpGet }

// Status is a monitor's answer to a client.
type Status uint8

const (
	StatusOK       Status = iota + 1
	StatusMismatch        // a cas found another value (or none)
	StatusRetry           // not served here now: try again, maybe elsewhere
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusMismatch:
		return "mismatch"
	case StatusRetry:
		return "retry"
	}
	return fmt.Sprintf("status-%d", s)
}

// ClientOp is a client request and, in a reply, its outcome. A client has
// one request outstanding at a time and numbers them upward; a retry reuses
// the number, so the leader can answer a duplicate from the replicated
// result table instead of applying it twice.
type ClientOp struct {
	Client  uint64 // the client's endpoint
	ReqID   uint64
	Kind    OpKind
	Key     string
	Value   []byte // put/cas: the new value; get reply: the value read
	Expect  []byte // cas: the value required
	Status  Status // reply only
	Found   bool   // get reply: the key existed
	Version uint64 // write reply: the version that committed it
	Leader  int    // retry reply: where the leader is thought to be, -1 unknown
}

func (o *ClientOp) encode(e *encoder) {
	e.uvarint(o.Client)
	e.uvarint(o.ReqID)
	e.u8(uint8(o.Kind))
	e.str(o.Key)
	e.bytes(o.Value)
	e.bytes(o.Expect)
	e.u8(uint8(o.Status))
	e.boolean(o.Found)
	e.uvarint(o.Version)
	e.varint(int64(o.Leader))
}

func (o *ClientOp) decode(d *decoder) {
	o.Client = d.uvarint()
	o.ReqID = d.uvarint()
	o.Kind = OpKind(d.u8())
	o.Key = d.str()
	o.Value = d.bytes()
	o.Expect = d.bytes()
	o.Status = Status(d.u8())
	o.Found = d.boolean()
	o.Version = d.uvarint()
	o.Leader = int(d.varint())
}
