package node

// LSN vectors (the "data log information" of patent CN108228678B): each
// monitor keeps, for every page, the page's LSN on every monitor as it
// last heard. It learns them compactly: a probe and a lease carry, per
// rank, how far the sender's row for that rank is complete (the rank's lc
// when it last reported); a probe reply or lease ack answers with only the
// pages it changed since then (a page's LSN is the version that last
// changed it). The rows are stored with the monitor's own metadata, in the
// next batch it writes anyway.
//
// A vector is hearsay: a row is as old as the last report, and a monitor
// whose store was cleared or rebuilt since still looks as it was. The safe
// page repair never takes a source from it; it asks the others directly
// (pagerepair.go). The planted bugs page-literal and page-stale-vector do.

type lsnVectors struct {
	rows  [][]uint64 // rows[r][p]: page p's LSN on rank r, as last reported (this rank's own row unused)
	asOf  []uint64   // asOf[r]: rank r's lc as of which its row is complete; 0: not known
	dirty bool       // changed since it was last stored
}

// init makes empty rows; it is called on an empty vector only.
func (v *lsnVectors) init(monitors, pages int) {
	v.rows, v.asOf = make([][]uint64, monitors), make([]uint64, monitors)
	for r := range v.rows {
		v.rows[r] = make([]uint64, pages)
	}
}

// ownReport is this monitor's page LSNs changed since version since, for a
// peer whose row of it is complete up to since.
func (m *Monitor) ownReport(since uint64) []PageLSN {
	var out []PageLSN
	for _, p := range m.store.Pages() {
		if p.LSN > since && !localPage(p) {
			out = append(out, PageLSN{Page: p.Page, Rank: m.cfg.Rank, LSN: p.LSN})
		}
	}
	return out
}

// sinceFor is how far the requester's row of this monitor is complete, from
// the VecAsOf it sent.
func (m *Monitor) sinceFor(msg *Msg) uint64 {
	if m.cfg.Rank < len(msg.VecAsOf) {
		return msg.VecAsOf[m.cfg.Rank]
	}
	return 0
}

// attachReport adds this monitor's changed page LSNs to a reply.
func (m *Monitor) attachReport(reply *Msg, req *Msg) {
	reply.Since = m.sinceFor(req)
	reply.Pages = m.ownReport(reply.Since)
}

// mergeReport takes a peer's report of its own pages: msg.LC is its lc,
// and it lists every page it changed since msg.Since.
func (m *Monitor) mergeReport(msg *Msg) {
	v := &m.vec
	r := msg.From
	if r < 0 || r >= len(v.rows) || r == m.cfg.Rank {
		return
	}
	if msg.LC < v.asOf[r] {
		// Its lc went back: cleared for a full sync, or rebuilt. What the
		// row says of it is history; it starts over with the next full report.
		m.reached(ProbeVectorRowReset)
		clear(v.rows[r])
		v.asOf[r] = 0
		v.dirty = true
	}
	for _, p := range msg.Pages {
		if p.Rank == r && p.Page >= 0 && p.Page < len(v.rows[r]) && v.rows[r][p.Page] != p.LSN {
			v.rows[r][p.Page], v.dirty = p.LSN, true
		}
	}
	if msg.Since <= v.asOf[r] && msg.LC > v.asOf[r] {
		v.asOf[r], v.dirty = msg.LC, true
	}
}

// column is what this monitor knows of page p on every monitor: its own
// LSN now, and the others' as last reported.
func (m *Monitor) column(p int) []PageLSN {
	var out []PageLSN
	for r, row := range m.vec.rows {
		lsn := row[p]
		if r == m.cfg.Rank {
			lsn = m.store.Pages()[p].LSN
		} else if m.vec.asOf[r] == 0 && lsn == 0 {
			continue // never heard of
		}
		out = append(out, PageLSN{Page: p, Rank: r, LSN: lsn})
	}
	return out
}

func (v *lsnVectors) encode() []byte {
	var e encoder
	e.uvarint(uint64(len(v.rows)))
	for r, row := range v.rows {
		e.uvarint(v.asOf[r])
		e.uvarint(uint64(len(row)))
		for _, lsn := range row {
			e.uvarint(lsn)
		}
	}
	return e.b
}

// decode restores stored rows that fit the cluster and the store's pages;
// anything else is forgotten: a vector is only ever a hint.
func (v *lsnVectors) decode(b []byte, monitors, pages int) {
	v.rows = nil
	v.init(monitors, pages)
	d := decoder{b: b}
	n := d.count()
	if n != monitors {
		return
	}
	asOf := make([]uint64, n)
	rows := make([][]uint64, n)
	for r := range rows {
		asOf[r] = d.uvarint()
		if d.count() != pages {
			return
		}
		rows[r] = make([]uint64, pages)
		for p := range rows[r] {
			rows[r][p] = d.uvarint()
		}
	}
	if d.err == nil {
		v.rows, v.asOf = rows, asOf
	}
}
