//go:build unix

package downloader

import "syscall"

// errDiskFull is what a write to a full volume fails with here.
var errDiskFull error = syscall.ENOSPC
