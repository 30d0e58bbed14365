package faultfs

import (
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// unlimitedAvail is the free space GetDiskUsage reports for a disk without
// a capacity: 1 TiB, so that callers that check free space go on.
const unlimitedAvail = 1 << 40

func (fs *FS) charge(ns int64) {
	if ns > 0 && fs.opts.Charge != nil {
		fs.opts.Charge(ns)
	}
}

// chargeBytes charges the per-byte cost of n bytes moved.
func (fs *FS) chargeBytes(n int, nsPerByte int64) {
	fs.charge(int64(n) * nsPerByte)
}

// chargeSync charges one fsync's latency. A failed fsync takes time too.
func (fs *FS) chargeSync() {
	fs.charge(fs.rand.Range(fs.opts.SyncLatencyMin, fs.opts.SyncLatencyMax))
}

// reserve fails with ENOSPC when growing a named file by growth bytes would
// exceed the capacity.
func (fs *FS) reserve(n *inode, p string, off, growth int64) error {
	if fs.opts.Capacity <= 0 || growth <= 0 || n.nlink == 0 {
		return nil
	}
	if fs.used+growth <= fs.opts.Capacity {
		return nil
	}
	fs.fault(Fault{Kind: "enospc/full", Path: p, Off: off, Len: growth, Detail: "disk full"})
	return syscall.ENOSPC
}

// GetDiskUsage implements vfs.FS. Used bytes are the sizes of the files that
// still have a name.
func (fs *FS) GetDiskUsage(name string) (vfs.DiskUsage, error) {
	if err := fs.begin(errorfs.OpGetDiskUsage, clean(name), 0); err != nil {
		return vfs.DiskUsage{}, pathErr("diskusage", name, err)
	}
	used := uint64(fs.used)
	if fs.opts.Capacity <= 0 {
		return vfs.DiskUsage{AvailBytes: unlimitedAvail, TotalBytes: used + unlimitedAvail, UsedBytes: used}, nil
	}
	total := uint64(fs.opts.Capacity)
	return vfs.DiskUsage{AvailBytes: total - min(used, total), TotalBytes: total, UsedBytes: used}, nil
}
