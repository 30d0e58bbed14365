// Package kvstore is a monitor's key/value store: a checkpointed redo log
// in one directory of a vfs.FS, built to survive process crashes, power
// loss, torn writes and lying disks, and to report real corruption rather
// than serve damaged data.
//
// # Interface
//
// A Batch (puts, deletes, prefix deletes) is applied atomically by
// Store.Apply; with sync it is durable when Apply returns. Reads (Get,
// Iterate, IterateFrom) see the in-memory state; Snapshot is a cheap
// copy-on-write view for sync providers. Values are copied in and out.
//
// # Files
//
//	MANIFEST              generation N and its checkpoint's seq; replaced atomically
//	CKPT-<N as 16 hex>    level-2 checkpoint: the state at that seq, synced
//	LOG-<N as 16 hex>     redo log segment: the records after that seq
//	L1                    level-1 checkpoint: the state at a later seq, never synced
//	*.tmp                 a checkpoint or MANIFEST being written; never read
//
// Each generation has exactly one segment. Log records carry consecutive
// sequence numbers, one per batch. A record is written with two Write
// calls: the entry (header, payload, CRC32C) and then a trailer (seq, the
// entry's CRC, the trailer's own CRC). The trailer is PAR's identifier,
// written separately from the entry: if it is present, the entry was
// completely written. (PAR is Protocol-Aware Recovery, Alagappan et al.,
// FAST '18; its identifier is what tells a torn write from corruption.) Formats are in log.go, checkpoint.go, manifest.go.
//
// # Writing
//
// Apply writes entry and trailer, fsyncs the segment if asked, then applies
// the batch in memory. Before a batch, the store takes the checkpoint that
// is due:
//   - every Options.L2Every batches, or once the segment exceeds
//     Options.SegmentBytes, a level-2 checkpoint: write CKPT-(N+1).tmp, sync,
//     rename; create LOG-(N+1) with its header, sync; sync the directory;
//     write MANIFEST.tmp, sync, rename, sync the directory; only then remove
//     generation N's files and L1. A cut at any step leaves generation N or
//     N+1 complete and named by the MANIFEST.
//   - every Options.L1Every batches, L1: the state plus an anchor (offset
//     and entry CRC of the last record it includes), written but not synced.
//
// A failed write or fsync poisons the store: fsync failures are not
// retryable, so every later Apply fails and the owner reopens.
//
// # Recovery
//
// Open reads the MANIFEST, checks CKPT-N, then scans LOG-N from its
// header. Recovery starts from L1 if L1 is intact, of generation N, and
// the scan found the exact record it is anchored on (after a process crash
// the page cache keeps the log, after a power loss usually not); otherwise
// from CKPT-N. It replays the records after that checkpoint. Then it
// always writes a new generation from the recovered state, so nothing is
// ever appended after a discarded tail, and removes every other file.
//
// Files of generations above N are leftovers of a switch that never
// committed: records are only appended once the MANIFEST naming their
// generation is durable. A directory without a MANIFEST is a new store if
// it holds at most what a cut creation leaves (temporary files, CKPT-1,
// and LOG-1 without records); anything more is corruption, since a store
// is never silently recreated.
//
// A crash or power loss keeps, per file, a prefix of the unsynced writes,
// the last one perhaps cut at a 512-byte sector boundary, its cut-off part
// either gone or reading as zeros (the size reached the disk, the data did
// not). So the first bad record of a segment is a torn tail, discarded
// silently (OpenInfo.TornOffset, TornBytes), only if everything from it to
// the end of the segment is "the beginning of the next record, then zeros
// or nothing", ending where a tear can end: no valid entry or trailer after
// it; its header bytes agree with the expected magic and sequence; no
// non-zero byte lies past where its entry ends unless it is a prefix of the
// exact trailer that entry implies; and the segment ends on a sector
// boundary or exactly where the cut write (entry or trailer) ends. The
// trailer ends in a byte with four bits set, so one flipped bit in a
// complete record can never pass for a tear. Everything else is a
// *CorruptionError (errors.Is(err, ErrCorrupt)):
//   - a bad record followed by a valid entry or trailer;
//   - a bad entry whose trailer is present, a damaged trailer after a
//     complete entry, a trailer that does not match its entry;
//   - a sequence gap or repeat; a segment header that is short, damaged,
//     or names another generation or start;
//   - a damaged, short or missing CKPT-N or LOG-N; a damaged MANIFEST;
//     store files without a MANIFEST (beyond what a cut creation leaves).
//
// L1 is never synced, so a damaged, stale or unanchored L1 is not
// corruption: recovery just uses CKPT-N. Filesystem errors are *IOError,
// wrapping the cause (errors.Is(err, syscall.EIO) holds).
//
// # What is not detected
//
// Checksums make damage detectable, not impossible to miss. The store
// cannot know how long the synced part of its log was, so damage that
// produces exactly what a tear produces recovers a shorter, valid prefix
// of the history, silently losing synced batches:
//   - truncation of a segment at a record boundary (a shorter log), or
//     inside the last remaining record on a sector boundary (a torn tail);
//   - zeroed sectors that reach the end of the segment, when the bytes
//     before them end in a valid record or a record prefix;
//   - non-zero garbage that reaches the end of the segment, at a sector
//     boundary, but stays within the extent that its damaged last entry's
//     intact header claims (a tear cut inside the payload looks the same);
//   - two faults in the last record that conspire, e.g. a length field
//     enlarged past the end plus a damaged trailer, the segment ending on a
//     sector boundary.
//
// Any single flipped bit in a segment, checkpoint or MANIFEST is detected
// (or, in L1, harmlessly ignored).
//
// Also out of reach: a MANIFEST rolled back together with its directory
// entry (the newer generations look like cut switches and are removed); a
// lost MANIFEST in a store still at generation 1 with no records (nothing
// to lose); a lost directory entry for a store directory whose parent the
// owner never synced; damage that keeps every CRC valid (a 2^-32 event
// per check); and a second Open of the same directory in one process (no
// lock file). None of these ever yields bytes that were not once written
// as a value: at worst an older valid state.
//
// # Points
//
// Options.Point is called with these names, so a simulation can cut power
// exactly there: kvstore/log-entry-written (entry written, trailer not),
// kvstore/log-synced, kvstore/l1-written, kvstore/ckpt-written,
// kvstore/ckpt-synced, kvstore/ckpt-renamed, kvstore/segment-created,
// kvstore/dir-synced, kvstore/manifest-written, kvstore/manifest-synced,
// kvstore/manifest-renamed, kvstore/manifest-dir-synced,
// kvstore/obsolete-removed.
package kvstore
