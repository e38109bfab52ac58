//go:build !linux

package downloader

import "os"

// startWriteback is a no-op where the kernel offers no asynchronous
// writeback of a range; the fsync before the rename writes everything.
func startWriteback(*os.File, int64, int64) {}
