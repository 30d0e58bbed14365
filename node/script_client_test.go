package node

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// Clients and hand-made messages: both reach a monitor at once, without
// going through the queue.

// cmdPropose sends a client write: propose 0 key=k value=v [op=put|cas|delete|delete-prefix]
// [expect=x] [client=100] [req=N]. Without req, each client numbers its
// requests 1, 2, ...
func cmdPropose(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	kind := map[string]OpKind{"put": OpPut, "cas": OpCas, "delete": OpDelete, "delete-prefix": OpDeletePrefix}[argStr(t, td, "op", "put")]
	if kind == 0 {
		td.Fatalf(t, "unknown op")
	}
	c.request(t, td, ClientOp{Kind: kind, Key: argStr(t, td, "key", "k"),
		Value: []byte(argStr(t, td, "value", "")), Expect: []byte(argStr(t, td, "expect", ""))})
}

// cmdRead sends a client read: read 1 key=k [client=100].
func cmdRead(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	c.request(t, td, ClientOp{Kind: OpGet, Key: argStr(t, td, "key", "k")})
}

func (c *scriptCluster) request(t *testing.T, td *datadriven.TestData, op ClientOp) {
	client := argInt(t, td, "client", clientBase)
	req := uint64(argInt(t, td, "req", 0))
	for _, r := range ranks(t, c, td) {
		c.send1(r, client, req, op)
	}
}

// send1 delivers op from client to monitor r; req 0 takes the client's next
// request id.
func (c *scriptCluster) send1(r, client int, req uint64, op ClientOp) {
	if c.nextReq == nil {
		c.nextReq = map[int]uint64{}
	}
	if req == 0 {
		c.nextReq[client]++
		req = c.nextReq[client]
	}
	op.ReqID, op.Client = req, uint64(client)
	c.deliver(scriptMsg{from: client, to: r, b: (&Msg{Type: MClientRequest, From: client, Op: op}).Encode()})
}

// cmdWrite commits n writes through monitor r, one version each, as a
// network without latency would: write 0 n=5. Keys are k1, k2, ... By
// default it prints only commits and trims.
func cmdWrite(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	if c.show == nil {
		c.show = map[string]bool{"commit": true, "trim": true}
	}
	delay := c.cfg.withDefaults().ProposeDelay
	for range argInt(t, td, "n", 1) {
		c.writes++
		op := ClientOp{Kind: OpPut, Key: fmt.Sprintf("k%d", c.writes), Value: []byte(fmt.Sprint(c.writes))}
		for _, r := range ranks(t, c, td) {
			c.lastReply = ClientOp{}
			c.send1(r, argInt(t, td, "client", clientBase), 0, op)
			if err := c.run(delay, 10000); err != nil {
				td.Fatalf(t, "%v", err)
			}
			switch {
			case c.lastReply.Kind == 0:
				c.printf("write %s at n%d: no reply", op.Key, r)
			case c.lastReply.Status != StatusOK:
				c.printf("write %s at n%d: %s", op.Key, r, fmtReply(&c.lastReply))
			}
		}
	}
}

// cmdInject delivers a hand-made message at once:
// inject 1 from=0 type=victory e=4 q=(0,1) [pn= fc= lc= v= ppn= leader= until=
// cookie=E.N seq= hash= flags=(...) value=raw | puts=(k:v,...) | copied=key
// versions=(3,4) pairs=(key:value,...)]; each listed version carries the
// value; copied= is a resume request's position (start, end or a key).
func cmdInject(c *scriptCluster, t *testing.T, td *datadriven.TestData) {
	typ := argStr(t, td, "type", "")
	m := Msg{Leader: argInt(t, td, "leader", -1)}
	for i, name := range msgNames {
		if name == typ && i > 0 {
			m.Type = MsgType(i)
		}
	}
	if m.Type == 0 {
		td.Fatalf(t, "unknown message type %q", typ)
	}
	u := func(key string) uint64 { return uint64(argInt(t, td, key, 0)) }
	m.Epoch, m.PN, m.FC, m.LC, m.V, m.PendingPN, m.Seq = u("e"), u("pn"), u("fc"), u("lc"), u("v"), u("ppn"), u("seq")
	m.Until = argDur(t, td, "until", 0)
	if a, ok := td.Arg("q"); ok {
		for _, v := range a.Vals {
			r, _ := strconv.Atoi(v)
			m.Quorum |= 1 << r
		}
	}
	if a, ok := td.Arg("flags"); ok {
		names := map[string]uint16{"syncing": FlagSyncing, "repairing": FlagRepairing, "full": FlagFull,
			"last": FlagLast, "inquorum": FlagInQuorum, "resume": FlagResume, "snapdone": FlagSnapDone}
		for _, v := range a.Vals {
			m.Flags |= names[v]
		}
	}
	if s := argStr(t, td, "cookie", ""); s != "" {
		var e, n uint64
		if _, err := fmt.Sscanf(strings.Replace(s, ".", " ", 1), "%d %d", &e, &n); err != nil {
			td.Fatalf(t, "bad cookie %q", s)
		}
		m.Cookie = e<<24 + n
	}
	m.Value = injectValue(t, td)
	m.Hash = u("hash")
	if a, ok := td.Arg("copied"); ok {
		// A resume request's position: copied=key, or copied=(start) / (end).
		p := position{}
		switch v := a.Vals[0]; v {
		case "start":
		case "end":
			p = endPosition()
		default:
			p = positionAfter(v)
		}
		var e encoder
		p.encode(&e)
		m.Value = e.b
	}
	if a, ok := td.Arg("versions"); ok {
		for _, v := range a.Vals {
			n, _ := strconv.ParseUint(v, 10, 64)
			m.Versions = append(m.Versions, Version{V: n, Value: m.Value})
		}
	}
	if a, ok := td.Arg("pairs"); ok {
		for _, kv := range a.Vals {
			k, v, _ := strings.Cut(kv, ":")
			m.Pairs = append(m.Pairs, Pair{Key: k, Value: []byte(v)})
		}
	}
	from := argInt(t, td, "from", 0)
	b := m.Encode()
	if td.HasArg("malformed") {
		// A valid checksum over a body one byte short: the layout is wrong.
		b = b[:len(b)-1]
		binary.LittleEndian.PutUint32(b, crc32.Checksum(b[4:], castagnoli))
	}
	for _, r := range ranks(t, c, td) {
		c.deliver(scriptMsg{from: from, to: r, b: b})
	}
}

// injectValue is value= as raw bytes (value-hex= as hex), or puts= as a
// transaction.
func injectValue(t *testing.T, td *datadriven.TestData) []byte {
	if h := argStr(t, td, "value-hex", ""); h != "" {
		b, err := hex.DecodeString(h)
		if err != nil {
			td.Fatalf(t, "bad value-hex %q", h)
		}
		return b
	}
	a, ok := td.Arg("puts")
	if !ok {
		if s := argStr(t, td, "value", ""); s != "" {
			return []byte(s)
		}
		return nil
	}
	var tx txn
	for _, kv := range a.Vals {
		k, v, _ := strings.Cut(kv, ":")
		tx.ops = append(tx.ops, txnOp{kind: txPut, key: k, value: []byte(v)})
	}
	return tx.encode()
}
