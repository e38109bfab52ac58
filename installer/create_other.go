//go:build !unix

package installer

import "os"

// createNew creates the new file path for writing (O_EXCL: never through
// a file or link already there).
func createNew(path string, mode os.FileMode) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
}
