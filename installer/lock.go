package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"

	"onramp.dev/onramp/internal/flock"
)

const onWindows = runtime.GOOS == "windows"

// lock takes the product's install lock, or fails at once when another
// process holds it: an install waits for nobody, and the person is told
// another one is running. The OS drops it when the process dies.
func (in *Installer) lock(product string) (func(), error) {
	l, ok, err := flock.TryLock(filepath.Join(in.opt.StateDir, product+".lock"))
	if errors.Is(err, fs.ErrPermission) && in.scoped {
		return nil, &ElevationError{Target: in.opt.StateDir, Product: product}
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: %w", product, ErrLocked)
	}
	return l.Release, nil
}
