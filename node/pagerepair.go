package node

import (
	"fmt"

	"github.com/monsim/monsim/node/kvstore"
)

// Page repair, after patent CN108228678B ("seed 001"), made safe. A
// monitor whose store opens with damaged replicated pages (kvstore reports
// them; the MANIFEST, the log, the page table and this monitor's own
// metadata are intact) fetches those pages from the others instead of
// rebuilding the whole store:
//
//  1. It stays out of the cluster while any page is damaged or ahead: no
//     vote, ack, probe answer, read or sync provision. It may still serve
//     its intact pages to another page repair: that is how a cluster in
//     which most monitors have some damage recovers (PAR's CTRL).
//  2. It asks every other monitor for the LSNs of its damaged pages
//     (page-probe) and waits for reports from a majority of the others.
//     A page may come from a reporter only if it holds it intact, not ahead
//     of its own lc, its store is whole, and its lc, the committed version
//     the page will be taken at, is at least this monitor's own lc. Of
//     those, it takes the one with the highest page LSN. If some page has
//     none, it waits for the next round.
//  3. It fetches every damaged page (page-fetch), each at its source's lc,
//     and installs them all at once, durably, as a new checkpoint
//     generation (kvstore.InstallPages): a restart before that finds the
//     same damage, after it the installed pages.
//  4. An installed page taken at a version above this monitor's lc is
//     ahead of the rest of the store. The monitor catches up by a sync from
//     a monitor at least that far; each version applied skips the pages
//     that already hold it (the page-LSN redo rule, in the store). Once lc
//     reaches every page's LSN the state is one version's again: it checks
//     in (page-repair-done, with its state hash) and rejoins through the
//     usual probe. Its promises, accepted value and epoch never left it, so
//     no rejoin fence is needed.
//
// Whatever cannot be proven safe falls back to the whole-store repair
// (repair.go): damage to a page of the monitor's own metadata or its
// version head, or damaged pages in a store that was partial or held a
// repair mark. A monitor started with Config.NoPageRepair treats damaged
// pages as a corrupt store.
//
// The patent's procedure taken literally (planted bug page-literal) asks
// one healthy peer for the page's LSN vector, fetches from the monitor with
// the highest LSN in it and rejoins at once: the vector may be stale, the
// holder behind this monitor, and the page ahead of the rest of the store.

// pageRepair is the page repair in progress.
type pageRepair struct {
	active   bool         // damaged pages, or installed pages ahead of lc: out of the cluster
	damaged  []int        // pages still to fetch; none once installed
	reports  []pageReport // this round's page reports, by rank
	first    int          // this round's first report from a monitor not repairing itself, or -1
	plan     []pageFetch  // one per damaged page once sources are chosen
	fetching bool         // fetches are out; reports wait for the next round
}

// pageReport is one monitor's answer to a page probe.
type pageReport struct {
	ok     bool
	lc, fc uint64
	flags  uint16
	pages  []PageLSN
}

// pageFetch is one damaged page and where it comes from.
type pageFetch struct {
	page   int
	source int
	fc     uint64 // the source's first_committed, for the catch-up
	image  *kvstore.PageImage
	bytes  int64
}

// PageRepairing reports whether the monitor is repairing pages of its store
// or catching up past the ones it installed.
func (m *Monitor) PageRepairing() bool { return m.pr.active }

// vectorSourced says the planted bugs that take a page's source from one
// peer's LSN vector are on.
func (m *Monitor) vectorSourced() bool { return m.cfg.Bugs.PageLiteral || m.cfg.Bugs.PageStaleVector }

// healthy says a report comes from a monitor that repairs nothing and holds
// a whole store: what the patent calls a healthy node.
func healthy(flags uint16) bool { return flags&(FlagPageRepair|FlagSyncing) == 0 }

// pageRepairRefused says why the damaged pages of a store that just opened
// cannot be repaired page by page, or "" if they can.
func (m *Monitor) pageRepairRefused(s *kvstore.Store) string {
	pages := s.Pages()
	for _, p := range s.Damaged() {
		if localPage(pages[p]) && !m.cfg.Bugs.PageRepairsMetadata {
			m.reached(ProbePageFallbackMetadata)
			return fmt.Sprintf("page %d holds this monitor's own metadata or version head", p)
		}
	}
	_, marked := readMark(s)
	if marked || getU64(s, keyInSync) != 0 || getU64(s, keyLC) < getU64(s, keySyncFloor) {
		m.reached(ProbePageFallbackPartial)
		return "the store was partial (mid full sync) or held a repair mark"
	}
	return ""
}

// fallBack abandons a store with damaged pages for a whole-store repair.
func (m *Monitor) fallBack(s *kvstore.Store, why string) {
	why = fmt.Sprintf("pages %v damaged: %s", s.Damaged(), why)
	if err := s.Close(); err != nil {
		m.fail(err)
		return
	}
	m.emit(Event{Kind: EvPageFallback, Detail: why})
	m.startRepair(RepairFresh, "damaged pages cannot be repaired one by one: "+why)
}

// loadPageRepair sets the page repair up from what the store holds:
// damaged pages to fetch, or installed pages ahead of lc to catch up past.
func (m *Monitor) loadPageRepair(atBoot bool) {
	m.pr = pageRepair{}
	if d := m.store.Damaged(); len(d) > 0 {
		m.pr.active, m.pr.damaged = true, d
		return
	}
	if m.pagesAhead() {
		if atBoot {
			m.reached(ProbePageCatchUpResumed)
		}
		m.pr.active = true
	}
}

// pagesAhead says whether some replicated page holds a version above lc: a
// page installed ahead of the rest of the store.
func (m *Monitor) pagesAhead() bool {
	for _, p := range m.store.Pages() {
		if p.LSN > m.lc && !localPage(p) {
			return true
		}
	}
	return false
}

// servable says whether this monitor may hand page p to a page repair: it
// holds it intact and not ahead of its lc, and it is a replicated page.
func (m *Monitor) servable(p int) bool {
	pages := m.store.Pages()
	if p < 0 || p >= len(pages) || pages[p].LSN > m.lc || localPage(pages[p]) && !m.cfg.Bugs.PageRepairsMetadata {
		return false
	}
	for _, d := range m.pr.damaged {
		if d == p {
			return false
		}
	}
	return true
}

// whole says whether this monitor's store is one version's state, fit to
// report and serve pages from: not syncing, not partial.
func (m *Monitor) whole() bool { return m.phase != PhaseSyncing && !m.partial() }

// pageProbe asks the others for the LSNs of the damaged pages, starting a
// new round of reports.
func (m *Monitor) pageProbe() {
	m.pr.reports, m.pr.first = make([]pageReport, m.cfg.Monitors), -1
	msg := Msg{Type: MPageProbe, LC: m.lc}
	for _, p := range m.pr.damaged {
		msg.Pages = append(msg.Pages, PageLSN{Page: p, Rank: m.cfg.Rank})
	}
	m.sendOthers(&msg)
}

// handlePageProbe reports which of the asked pages this monitor can serve,
// at what LSN, and what its LSN vector says of the others. A whole-store
// repair answers nothing; a page repair answers for its intact pages.
func (m *Monitor) handlePageProbe(msg *Msg) {
	if m.rep.active {
		return
	}
	reply := Msg{Type: MPageReport, LC: m.lc, FC: m.fc}
	if m.pr.active {
		reply.Flags |= FlagPageRepair
	}
	if !m.whole() {
		reply.Flags |= FlagSyncing
	}
	for _, q := range msg.Pages {
		if q.Page < 0 || q.Page >= len(m.store.Pages()) {
			continue
		}
		if m.whole() && m.servable(q.Page) {
			reply.Pages = append(reply.Pages, PageLSN{Page: q.Page, Rank: m.cfg.Rank, LSN: m.store.Pages()[q.Page].LSN})
		}
		for _, c := range m.column(q.Page) {
			if c.Rank != m.cfg.Rank {
				reply.Pages = append(reply.Pages, c)
			}
		}
	}
	m.send(msg.From, &reply)
}

// handlePageReport gathers a round's reports until every damaged page has
// a safe source.
func (m *Monitor) handlePageReport(msg *Msg) {
	if !m.pr.active || len(m.pr.damaged) == 0 || m.pr.fetching || msg.From < 0 || msg.From >= m.cfg.Monitors || msg.From == m.cfg.Rank {
		return
	}
	m.pr.reports[msg.From] = pageReport{ok: true, lc: msg.LC, fc: msg.FC, flags: msg.Flags, pages: msg.Pages}
	if m.pr.first < 0 && healthy(msg.Flags) {
		m.pr.first = msg.From
	}
	if m.cfg.Bugs.PageLiteral {
		if m.pr.first >= 0 {
			m.vectorSources(m.pr.first, 1<<m.pr.first) // one healthy peer is enough
		}
		return
	}
	m.chooseSources()
}

// chooseSources applies the rule: reports from a majority of the others,
// and for each damaged page the reporter with the highest page LSN among
// those that can serve it at a committed version no lower than this
// monitor's own lc.
func (m *Monitor) chooseSources() {
	var reporters uint64
	for r, rep := range m.pr.reports {
		if rep.ok {
			reporters |= 1 << r
		}
	}
	if popcount(reporters) < m.cfg.majority() {
		return
	}
	if m.cfg.Bugs.PageStaleVector {
		if m.pr.first >= 0 {
			m.vectorSources(m.pr.first, reporters)
		}
		return
	}
	plan := make([]pageFetch, 0, len(m.pr.damaged))
	for _, p := range m.pr.damaged {
		best, bestLSN := -1, uint64(0)
		for r, rep := range m.pr.reports {
			if !rep.ok || rep.flags&FlagSyncing != 0 || rep.lc < m.lc {
				continue
			}
			for _, e := range rep.pages {
				if e.Page != p || e.Rank != r {
					continue
				}
				if best < 0 || e.LSN > bestLSN || e.LSN == bestLSN && rep.lc > m.pr.reports[best].lc {
					best, bestLSN = r, e.LSN
				}
			}
		}
		if best < 0 {
			m.reached(ProbePageNoSource)
			return
		}
		if m.pr.reports[best].flags&FlagPageRepair != 0 {
			m.reached(ProbePageSourceRepairing)
		}
		plan = append(plan, pageFetch{page: p, source: best, fc: m.pr.reports[best].fc})
	}
	m.fetchPages(plan, reporters, fmt.Sprintf("the highest page LSN at lc %d or above, among reports from a majority of the others", m.lc))
}

// vectorSources is the planted bugs' choice: for each page, the monitor
// that one healthy peer's LSN vector says holds the highest LSN, however
// old the vector and whatever that monitor holds now.
func (m *Monitor) vectorSources(peer int, reporters uint64) {
	rep := m.pr.reports[peer]
	var plan []pageFetch
	for _, p := range m.pr.damaged {
		best, bestLSN := -1, uint64(0)
		for _, e := range rep.pages {
			if e.Page == p && e.Rank != m.cfg.Rank && e.Rank >= 0 && e.Rank < m.cfg.Monitors &&
				(best < 0 || e.LSN > bestLSN || e.LSN == bestLSN && e.Rank < best) {
				best, bestLSN = e.Rank, e.LSN
			}
		}
		if best < 0 {
			return
		}
		plan = append(plan, pageFetch{page: p, source: best, fc: rep.fc})
	}
	m.fetchPages(plan, reporters, fmt.Sprintf("the highest LSN in rank %d's vector", peer))
}

// fetchPages reports the sources and asks each for its pages.
func (m *Monitor) fetchPages(plan []pageFetch, reporters uint64, why string) {
	for _, f := range plan {
		m.emit(Event{Kind: EvPageSource, Page: f.page, Peer: f.source, Version: m.pr.reports[f.source].lc,
			Quorum: reporters, Detail: why})
	}
	m.env.Point(PointPageSources)
	m.pr.plan, m.pr.fetching = plan, true
	m.disarm(tProbe)
	for r := range m.cfg.Monitors {
		msg := Msg{Type: MPageFetch, LC: m.lc}
		for _, f := range plan {
			if f.source == r {
				msg.Pages = append(msg.Pages, PageLSN{Page: f.page, Rank: r})
			}
		}
		if len(msg.Pages) > 0 {
			m.send(r, &msg)
		}
	}
	m.arm(tPageFetch, m.cfg.SyncTimeout)
}

// handlePageFetch serves each asked page that this monitor holds intact,
// at its lc, or refuses it.
func (m *Monitor) handlePageFetch(msg *Msg) {
	if m.rep.active {
		return
	}
	for _, q := range msg.Pages {
		data := Msg{Type: MPageData, LC: m.lc, FC: m.fc, Pages: []PageLSN{{Page: q.Page, Rank: m.cfg.Rank}}}
		pairs, lsn, err := []kvstore.Pair(nil), uint64(0), error(nil)
		if m.whole() && m.servable(q.Page) {
			pairs, lsn, err = m.store.ExportPage(q.Page)
		}
		if !m.whole() || !m.servable(q.Page) || err != nil {
			data.Flags |= FlagRefused
			m.send(msg.From, &data)
			continue
		}
		data.Pages[0].LSN = lsn
		for _, kv := range pairs {
			data.Pairs = append(data.Pairs, Pair{Key: kv.Key, Value: kv.Value})
		}
		if m.pr.active {
			m.reached(ProbePageServedRepairing)
		}
		m.send(msg.From, &data)
		m.emit(Event{Kind: EvPageServed, Page: q.Page, Peer: msg.From, Version: m.lc})
	}
}

// handlePageData takes one fetched page; once every damaged page is in, it
// installs them.
func (m *Monitor) handlePageData(msg *Msg) {
	if !m.pr.fetching || len(msg.Pages) != 1 {
		return
	}
	i := -1
	for j, f := range m.pr.plan {
		if f.page == msg.Pages[0].Page && f.source == msg.From && f.image == nil {
			i = j
		}
	}
	if i < 0 {
		return // a duplicate, or from a round given up
	}
	if msg.Has(FlagRefused) || msg.LC < m.lc && !m.vectorSourced() {
		m.restartPageRound() // the source changed since it reported
		return
	}
	img := &kvstore.PageImage{Page: msg.Pages[0].Page, LSN: msg.LC}
	var bytes int64
	for _, p := range msg.Pairs {
		img.Pairs = append(img.Pairs, kvstore.Pair{Key: p.Key, Value: p.Value})
		bytes += int64(len(p.Key) + len(p.Value))
	}
	m.pr.plan[i].image, m.pr.plan[i].bytes, m.pr.plan[i].fc = img, bytes, msg.FC
	for _, f := range m.pr.plan {
		if f.image == nil {
			return
		}
	}
	m.installPages()
}

func (m *Monitor) pageFetchTimedOut() {
	if m.pr.fetching {
		m.reached(ProbePageFetchTimedOut)
		m.restartPageRound()
	}
}

// restartPageRound gives up on this round's sources and probes again.
func (m *Monitor) restartPageRound() {
	m.pr.plan, m.pr.fetching = nil, false
	m.bootstrap()
}

// installPages makes the fetched pages durable, reads the store again and
// catches up if a page is ahead.
func (m *Monitor) installPages() {
	m.env.Point(PointPageFetched)
	plan := m.pr.plan
	images := make([]kvstore.PageImage, len(plan))
	for i, f := range plan {
		images[i] = *f.image
	}
	if err := m.store.InstallPages(images); err != nil {
		m.fail(err)
		return
	}
	m.env.Point(PointPageInstalled)
	m.disarm(tPageFetch)
	pages := m.store.Pages()
	for _, f := range plan {
		m.emit(Event{Kind: EvPageInstalled, Page: f.page, Peer: f.source, Version: f.image.LSN, Bytes: f.bytes,
			Local: localPage(pages[f.page])})
	}
	// What the store says now is what the monitor holds: its own metadata
	// is unchanged, unless a page of it was fetched.
	if err := m.load(false); err != nil {
		m.fail(err)
		return
	}
	literal := m.cfg.Bugs.PageLiteral && m.pr.active
	if literal {
		m.pr.active = false // rejoin at once, whatever version each page is at
		m.stateHash = computeStateHash(m.store)
	}
	m.emit(Event{Kind: EvStoreOpen, Version: m.lc, FC: m.fc, Hash: m.stateHash, Epoch: m.epoch,
		PN: m.acceptedPN, Pending: m.pendingV, PendingPN: m.pendingPN, Mixed: m.pr.active})
	if !m.pr.active {
		if !literal {
			m.reached(ProbePageNoCatchUp)
		}
		m.finishPageRepair()
		m.bootstrap()
		return
	}
	m.startCatchUp(plan)
}

// startCatchUp syncs from the source of the newest installed page: it is
// at least as far as that page.
func (m *Monitor) startCatchUp(plan []pageFetch) {
	src := plan[0]
	for _, f := range plan[1:] {
		if f.image.LSN > src.image.LSN {
			src = f
		}
	}
	m.catchUpFrom(src.source, src.fc)
}

// pageCatchUpReply is a probe reply while installed pages are ahead: any
// monitor further on will do to sync from.
func (m *Monitor) pageCatchUpReply(msg *Msg) {
	if len(m.pr.damaged) > 0 || msg.Has(FlagSyncing) || msg.Has(FlagRepairing) || msg.LC <= m.lc {
		return
	}
	m.catchUpFrom(msg.From, msg.FC)
}

// catchUpFrom syncs from a monitor whose first_committed is fc: a recent
// sync, or a full one if it trimmed past this monitor's lc.
func (m *Monitor) catchUpFrom(src int, fc uint64) {
	full := m.lc < fc && fc > 1
	if full {
		m.reached(ProbePageCatchUpFull)
	}
	m.startSync(src, full)
}

// pageRepairStep is the page repair's part of bootstrap: a store cleared
// for a full sync has no page ahead any more, and one whose lc reached
// every page is caught up.
func (m *Monitor) pageRepairStep() {
	switch {
	case !m.pr.active || len(m.pr.damaged) > 0:
	case m.partial():
		// Cleared on purpose for a full sync, which owns the store now and
		// will vouch for its state itself.
		m.pr = pageRepair{}
		m.emit(Event{Kind: EvPageRepairDone, Version: m.lc, Mixed: true, Detail: "the store was cleared for a full sync"})
	case !m.pagesAhead():
		m.finishPageRepair()
	}
}

// caughtUp is called after each version applied during a page repair's
// catch-up.
func (m *Monitor) caughtUp(mixed bool) {
	switch {
	case mixed:
		m.env.Point(PointPageCatchUp)
	case !m.partial():
		m.finishPageRepair()
	}
}

// finishPageRepair checks in: the store is one version's state again.
func (m *Monitor) finishPageRepair() {
	m.stateHash = computeStateHash(m.store)
	m.pr = pageRepair{}
	m.emit(Event{Kind: EvPageRepairDone, Version: m.lc, FC: m.fc, Hash: m.stateHash})
	m.env.Point(PointPageRepairDone)
}
