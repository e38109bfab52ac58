//go:build !linux

package installer

import (
	"errors"
	"io/fs"
	"time"
)

// wholeFiles: no createWhole here; stager.write creates every file
// through an *os.File.
const wholeFiles = false

func createWhole(string, []byte, fs.FileMode, time.Time, int) error {
	return errors.ErrUnsupported
}

func processUmask() int { return -1 }
