//go:build unix

package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

const onWindows = false

// lock takes the product's install lock, or fails at once when another
// process holds it. The kernel drops it when the process dies.
func (in *Installer) lock(product string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(in.opt.StateDir, product+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if errors.Is(err, fs.ErrPermission) && in.scoped {
		return nil, &ElevationError{Target: in.opt.StateDir, Product: product}
	}
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", product, ErrLocked)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
