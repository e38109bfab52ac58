package downloader

import "golang.org/x/sys/windows"

// errDiskFull is what a write to a full volume fails with here.
var errDiskFull error = windows.ERROR_DISK_FULL
