//go:build !unix && !windows

package flock

import "os"

// lockFile always succeeds where there is no file locking (js/wasm): one
// process at a time runs there.
func lockFile(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) {}

// Release lets go and removes the lock file.
func (l *Lock) Release() {
	l.f.Close()
	os.Remove(l.path)
}
