package node

import (
	"bytes"
	"slices"
	"strings"
)

// The config-key service: put, get, cas, delete and delete-prefix on
// replicated keys.
// Writes go through paxos, gathered by the leader into one transaction per
// round; peons forward them. Reads are answered by the leader or by a peon
// holding a valid lease, from committed state. Each write's outcome is
// stored in the replicated client table, so a retried request is answered
// from there and never applied twice.

// maxOpsPerProposal bounds one transaction.
const maxOpsPerProposal = 64

type service struct {
	queued []ClientOp // leader: writes waiting for the next proposal
}

func (s *service) dropQueued() { s.queued = s.queued[:0] }

func (m *Monitor) handleClient(msg *Msg) {
	op := msg.Op
	if msg.Type == MClientRequest {
		op.Client = uint64(msg.From)
	}
	if !op.Kind.IsWrite() {
		m.serveRead(op)
		return
	}
	switch m.phase {
	case PhaseLeader:
		m.queueWrite(op)
	case PhasePeon:
		m.send(m.leader, &Msg{Type: MForward, Op: op})
	default:
		m.retry(op)
	}
}

func (m *Monitor) serveRead(op ClientOp) {
	if !m.readable() {
		m.retry(op)
		return
	}
	val, found := m.store.Get(prefixKV + op.Key)
	m.emit(Event{Kind: EvRead, Peer: int(op.Client), Version: m.lc, Epoch: m.epoch})
	m.reply(ClientOp{ReqID: op.ReqID, Kind: op.Kind, Key: op.Key, Client: op.Client,
		Status: StatusOK, Found: found, Value: val, Version: m.lc})
}

func (m *Monitor) retry(op ClientOp) {
	m.reply(ClientOp{ReqID: op.ReqID, Kind: op.Kind, Client: op.Client, Status: StatusRetry, Leader: m.leader})
}

func (m *Monitor) reply(op ClientOp) {
	m.env.Send(int(op.Client), (&Msg{Type: MClientReply, From: m.cfg.Rank, Epoch: m.epoch, Op: op}).Encode())
	if op.Status != StatusRetry {
		m.emit(Event{Kind: EvClientReply, Peer: int(op.Client), Version: op.Version})
	}
}

// settled answers op from the replicated result table if the table says it
// (or a later request of the same client) already committed: a retry is
// answered, never applied twice. It reports whether op is settled.
func (m *Monitor) settled(op ClientOp) bool {
	r, ok := m.lookupResult(op.Client)
	if !ok || r.reqID < op.ReqID {
		return false
	}
	if r.reqID == op.ReqID {
		m.reached(ProbeRetryFromResultTable)
		m.reply(ClientOp{ReqID: op.ReqID, Kind: op.Kind, Client: op.Client, Status: r.status, Version: r.version})
	}
	return true
}

func (m *Monitor) queueWrite(op ClientOp) {
	if m.settled(op) {
		return
	}
	same := func(o ClientOp) bool { return o.Client == op.Client && o.ReqID == op.ReqID }
	if slices.ContainsFunc(m.svc.queued, same) || slices.ContainsFunc(m.px.inflightOps, same) {
		m.reached(ProbeRetryInFlight)
		return // already on its way; the commit answers it
	}
	m.svc.queued = append(m.svc.queued, op)
	if !m.armed[tPropose] {
		m.arm(tPropose, m.cfg.ProposeDelay)
	}
}

// proposePending begins the next transaction if the leader is free to.
func (m *Monitor) proposePending() {
	if m.phase != PhaseLeader || !m.px.active || m.px.proposing {
		return
	}
	if now := m.env.Now(); now < m.px.activeAt {
		m.arm(tActivate, m.px.activeAt-now)
		return
	}
	t, ops := m.buildTxn()
	if len(t.ops) == 0 {
		return
	}
	m.begin(t.encode(), ops)
}

// buildTxn turns queued writes into one transaction, deciding each cas
// against committed state plus the writes before it in the same batch, and
// adds a trim when the log has grown past its bound.
func (m *Monitor) buildTxn() (txn, []ClientOp) {
	n := min(len(m.svc.queued), maxOpsPerProposal)
	ops := slices.Clone(m.svc.queued[:n])
	m.svc.queued = slices.Delete(m.svc.queued, 0, n)
	var t txn
	overlay := map[string][]byte{}
	current := func(key string) ([]byte, bool) {
		if v, ok := overlay[key]; ok {
			return v, v != nil
		}
		return m.store.Get(prefixKV + key)
	}
	// A write queued before a recovered proposal committed it is settled now.
	ops = slices.DeleteFunc(ops, m.settled)
	// A client's request that comes after a newer one of the same client in
	// the batch is stale (the client gave up on it and moved on, and a peon
	// forwarded it late): run after the newer one, its result would take the
	// newer one's place in the result table, and a retry of the newer one
	// would then run it a second time.
	// A batch is a few ops: a scan, not a map per proposal.
	kept := ops[:0]
	for _, op := range ops {
		if !slices.ContainsFunc(kept, func(o ClientOp) bool { return o.Client == op.Client && o.ReqID > op.ReqID }) {
			kept = append(kept, op)
		}
	}
	ops = kept
	for i := range ops {
		op := &ops[i]
		op.Status = StatusOK
		switch op.Kind {
		case OpPut:
			t.ops = append(t.ops, txnOp{kind: txPut, key: op.Key, value: op.Value})
			overlay[op.Key] = op.Value
		case OpDelete:
			t.ops = append(t.ops, txnOp{kind: txDelete, key: op.Key})
			overlay[op.Key] = nil
		case OpDeletePrefix:
			t.ops = append(t.ops, txnOp{kind: txDeletePrefix, key: op.Key})
			for _, k := range m.keysWithPrefix(prefixKV, op.Key, overlay) {
				overlay[k] = nil
			}
		case OpCas:
			if cur, ok := current(op.Key); ok && bytes.Equal(cur, op.Expect) {
				t.ops = append(t.ops, txnOp{kind: txPut, key: op.Key, value: op.Value})
				overlay[op.Key] = op.Value
			} else {
				op.Status = StatusMismatch
			}
		}
		t.ops = append(t.ops, txnOp{kind: txResult, result: clientResult{client: op.Client, reqID: op.ReqID, status: op.Status}})
	}
	t.ops = append(t.ops, m.collectorOps()...)
	if m.lc > m.fc && m.lc-m.fc > m.cfg.PaxosMin+m.cfg.TrimMin {
		t.ops = append(t.ops, txnOp{kind: txTrim, trim: min(m.lc-m.cfg.PaxosMin, m.fc+m.cfg.TrimMax)})
	}
	return t, ops
}

// answerCommitted replies to the clients whose writes version v committed.
func (m *Monitor) answerCommitted(v uint64, ops []ClientOp) {
	for _, op := range ops {
		m.reply(ClientOp{ReqID: op.ReqID, Kind: op.Kind, Client: op.Client, Status: op.Status, Version: v})
	}
}

// keysWithPrefix lists the keys starting with prefix that are present in
// the store overlaid with a transaction's own writes, sorted. overlay maps
// keys to values (nil: deleted); its keys, and the keys returned, are store
// keys without their first len(ns) bytes, the namespace ns they share.
func (m *Monitor) keysWithPrefix(ns, prefix string, overlay map[string][]byte) []string {
	var out []string
	m.store.Iterate(ns+prefix, func(k string, _ []byte) bool {
		if v, ok := overlay[k[len(ns):]]; !ok || v != nil {
			out = append(out, k[len(ns):])
		}
		return true
	})
	for k, v := range overlay { //detlint:order-independent the keys are sorted below
		if v != nil && strings.HasPrefix(k, prefix) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
