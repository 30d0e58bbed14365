// Package faultfs is the disk of a simulated host: an in-memory vfs.FS
// (pebble's) that loses power, crashes, rots and fails on purpose, always
// the same way for the same seed.
//
// It keeps its own tree rather than wrapping vfs.MemFS, whose files carry
// wall-clock times, whose List comes in map order and whose CrashClone draws
// in map order. All randomness comes from Options.Rand, maps are walked in
// sorted order, and time comes from Options.Now. It uses no goroutines and
// no locks: one simulation drives it from one goroutine.
//
// # Fault model, zone by zone
//
// File data. Each file has the bytes reads return (the page cache) and a
// durable image: a stable image that survives anything, plus the writes made
// since, in order, each synced or not. File.Sync and File.SyncData make every
// write so far durable. File.SyncTo makes nothing durable and says so
// (fullSync false). The newest Options.LyingWindow synced writes stay in the
// log, where only a lying power loss can revoke them; older ones are folded
// into the stable image.
//
// Directory entries. Each directory has current entries and durable ones. A
// create, rename, link or remove changes the current entries at once but
// reaches the durable ones only when the directory itself is synced
// (OpenDir, then Sync). A file that was written and synced under a name
// whose directory was never synced is lost with that name. A rename is one
// entry operation: a power loss keeps it whole or not at all, also between
// two directories in torn mode; in honest mode each directory keeps its own
// last synced entries, so a rename between two directories of which only
// one was synced leaves the file under both names or neither. MkdirAll adds
// each new directory to its parent the same way. RemoveAll removes children
// before their directory, one entry operation each. Create over an existing
// name swaps in a new inode in one entry operation. Link shares the inode.
//
// Process crash (Crash). Everything stays as it is, synced or not, because
// the page cache survives. Every open file and lock handle becomes stale
// (use returns an error wrapping ErrStaleHandle) and every lock is released.
//
// Power loss (PowerLoss). Handles and locks die as in a crash, and what
// survives becomes the new durable state:
//   - Honest: exactly the synced state, file data as of each file's last
//     sync and entries as of each directory's last sync.
//   - Torn: the synced state, plus for each file a random prefix, in write
//     order, of its unsynced writes, the last kept one possibly cut at a
//     512-byte sector boundary, its cut-off part either gone or reading as
//     zeros (the size reached the disk, the data did not); and each
//     unsynced directory operation kept or lost with probability 1/2. A torn
//     write only ever shortens the tail of what was written, so an
//     append-only log sees at most a torn tail, never a hole before good
//     data.
//   - Lying: a volatile write cache that flushes out of order. Everything
//     Torn does, and also, among each file's synced writes still in the
//     window, older ones may be lost or cut at a sector while the newest is
//     always kept: a hole followed by good data, which a checksummed log
//     must report as corruption. Lost bytes read as what was there before
//     the write (zeros past the old end); the file keeps its synced size.
//     If any file has two or more synced writes in its window, at least one
//     of them is lost.
//
// The chances are fixed: an unsynced directory operation survives with
// probability 1/2; the number of unsynced writes kept is uniform over 0..n;
// the last kept one is cut with probability 1/2, at a uniformly chosen
// sector boundary inside it, and its cut-off part reads as zeros with
// probability 1/2; each older synced write in the window is lost with
// probability 1/4, else cut with probability 1/4. A power loss reports a
// "power-loss" fault with counts, then one "torn-write", "lying-loss" or
// "lying-torn" fault per damaged write, naming the exact bytes.
//
// Corruption (Corrupt). Synced data rots at rest: a bit flip, a zeroed
// sector, a truncation, or a misdirected write (a durable sector copied over
// another sector of the same or another file); or a whole file or
// directory is gone, its removal durable (Wipe: an operator's mistake). It changes the durable bytes
// and what reads return, as if the page cache had been dropped.
//
// Errors. Before each operation an errorfs.Injector (SetInjector) may fail
// it; the operation then changes nothing: a failed write writes nothing, a
// failed fsync makes nothing newly durable, a failed create, rename or
// remove leaves the namespace as it was. FS.EIO and FS.ENOSPC build
// injectors that draw from the disk's stream and compose with errorfs.Any;
// an EIO injector picks its operations by IOClass (reads, writes, syncs,
// namespace changes, lookups). FS.Unfaulted is a view no injector reaches,
// for a harness that inspects the disk.
// Injected errors match ErrInjected and the injector's errno with errors.Is.
// Options.Capacity adds real ENOSPC when a write would overfill the disk.
//
// Costs. vfs.FS is synchronous, so each operation reports a simulated cost
// to Options.Charge: OpNs per operation, WriteNsPerByte and ReadNsPerByte
// per byte, and a latency drawn from [SyncLatencyMin, SyncLatencyMax] per
// fsync. The kernel keeps the node busy for the total.
//
// Crash points. Options.AfterOp runs after every successful mutating
// operation and may panic to unwind its caller; MutatingOps counts them.
// Crash, PowerLoss and Corrupt are not operations: they charge nothing and
// do not call AfterOp.
//
// # What a store on this disk can rely on
//
//   - An append-only log synced after each record: honest and torn power
//     losses leave every synced record and at most a torn tail; a lying
//     disk can leave a hole before good records, which per-record checksums
//     must report as corruption rather than as a torn tail.
//   - A checkpoint or manifest written to a temporary file, synced, renamed
//     over the old one, and followed by a sync of the directory: after any
//     power loss, the old or the new file, whole (a lying disk aside). Skip
//     the directory sync and an honest power loss brings the old one back.
//   - A new file or directory exists after a power loss only once its parent
//     directory has been synced.
//   - Corruption and injected errors hit only what the caller chose: a path
//     prefix and a probability.
//
// # What is not modelled
//
//   - Lost writes after a failed fsync: on Linux the kernel may drop the
//     dirty pages and report success later; here a failed fsync leaves the
//     data dirty and a later fsync can still make it durable.
//   - Latent sector errors (EIO on read of damaged data) unless injected,
//     and silent corruption of data in flight (only data at rest rots).
//   - Metadata other than names and sizes: permissions, ownership and
//     times are not made durable; ModTime is simply the last write's time.
//   - Space held by open but unlinked files: Capacity counts named files
//     only, and directories take no space.
//   - Sector-level reordering within one unsynced write other than a cut
//     tail, and torn directory operations other than lost ones.
//   - Persistence of locks: locks live in memory and vanish with a crash.
package faultfs
