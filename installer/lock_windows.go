package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

const onWindows = true

// lock takes the product's install lock, or fails at once when another
// process holds it. Windows drops it when the process dies.
func (in *Installer) lock(product string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(in.opt.StateDir, product+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if errors.Is(err, fs.ErrPermission) && in.scoped {
		return nil, &ElevationError{Target: in.opt.StateDir, Product: product}
	}
	if err != nil {
		return nil, err
	}
	ol := new(windows.Overlapped)
	h := windows.Handle(f.Fd())
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", product, ErrLocked)
	}
	return func() {
		windows.UnlockFileEx(h, 0, 1, 0, ol)
		f.Close()
	}, nil
}
