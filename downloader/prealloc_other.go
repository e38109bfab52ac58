//go:build !linux

package downloader

import "os"

// preallocate is a no-op where it is not implemented: the writes allocate
// as they go.
func preallocate(*os.File, int64, int64) {}
