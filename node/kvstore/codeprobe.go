package kvstore

// CodeProbe names a rare condition in the store that a campaign should
// prove it reaches (see node.CodeProbe). Options.Reached is called with it.
type CodeProbe string

// CodeProbeInfo describes one code probe: its name, what reaching it
// means, and where it lives (file and function, checked by a test).
type CodeProbeInfo struct {
	Probe CodeProbe
	Means string
	Where string
}

// The store's code probes.
const (
	ProbeTornTail        CodeProbe = "kvstore/torn-tail-discarded"
	ProbeRecoveredL1     CodeProbe = "kvstore/recovered-from-level-1"
	ProbeL1Unusable      CodeProbe = "kvstore/level-1-checkpoint-unusable"
	ProbeLeftoverGen     CodeProbe = "kvstore/cut-switch-leftovers-removed"
	ProbeCutCreation     CodeProbe = "kvstore/cut-creation-started-over"
	ProbeWriteFailed     CodeProbe = "kvstore/log-write-failed"
	ProbeSyncFailed      CodeProbe = "kvstore/log-fsync-failed"
	ProbeSwitchFailed    CodeProbe = "kvstore/checkpoint-failed"
	ProbePageDamaged     CodeProbe = "kvstore/page-damaged"
	ProbePageRedoSkipped CodeProbe = "kvstore/redo-skipped-on-newer-page"
	ProbePageHeldBatch   CodeProbe = "kvstore/batch-skipped-on-newer-page"
)

var codeProbes = []CodeProbeInfo{
	{ProbeTornTail, "recovery discarded a torn tail of the log", "recover.go recover"},
	{ProbeRecoveredL1, "recovery started from the unsynced level-1 checkpoint (after a process crash)", "recover.go recover"},
	{ProbeL1Unusable, "recovery found a level-1 checkpoint it could not use (damaged, stale or unanchored)", "recover.go recover"},
	{ProbeLeftoverGen, "Open found files of a generation above the MANIFEST's (a cut switch) and removed them", "recover.go Open"},
	{ProbeCutCreation, "Open found what a cut creation leaves, without a MANIFEST, and made a new store", "recover.go checkNoStore"},
	{ProbeWriteFailed, "a log write failed: the store is poisoned", "store.go Apply"},
	{ProbeSyncFailed, "a log fsync failed: the store is poisoned, the batch's fate unknown", "store.go Apply"},
	{ProbeSwitchFailed, "a checkpoint due before a batch failed: the store is poisoned", "store.go Apply"},
	{ProbePageDamaged, "Open found damage inside checkpoint pages and reported those pages, not a corrupt store", "recover.go recover"},
	{ProbePageRedoSkipped, "recovery did not redo a log record onto a page whose LSN showed it already held it", "recover.go recover"},
	{ProbePageHeldBatch, "a batch was not applied to a page whose LSN showed it already held it (a page installed ahead)", "store.go Apply"},
}

// CodeProbes lists every code probe of the store.
func CodeProbes() []CodeProbeInfo { return append([]CodeProbeInfo(nil), codeProbes...) }

func (s *Store) reached(p CodeProbe) {
	if s.opts.Reached != nil {
		s.opts.Reached(p)
	}
}
