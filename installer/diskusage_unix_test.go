//go:build unix

package installer

import (
	"io/fs"
	"syscall"
	"testing"
)

// diskUsage is what a file takes on disk, holes left out.
func diskUsage(t *testing.T, st fs.FileInfo) int64 {
	t.Helper()
	return st.Sys().(*syscall.Stat_t).Blocks * 512
}
