//go:build unix

package flock

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock without waiting. flock belongs to the
// open file, so two opens in one process exclude each other as two
// processes do; the kernel drops it when the process dies.
func lockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

func unlockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// Release removes the lock file while still holding it (a waiter that
// then gets the old file sees the name gone and opens the new one), then
// lets go.
func (l *Lock) Release() {
	os.Remove(l.path)
	unlockFile(l.f)
	l.f.Close()
}
