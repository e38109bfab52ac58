package flock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes an exclusive LockFileEx lock without waiting. It belongs
// to the handle, so two opens in one process exclude each other as two
// processes do; Windows drops it when the process dies.
func lockFile(f *os.File) (bool, error) {
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, new(windows.Overlapped))
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return false, nil
	}
	return err == nil, err
}

func unlockFile(f *os.File) {
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

// Release lets go, then removes the lock file: Windows refuses to delete
// a file another process has open, so a waiter keeps its file and the
// removal simply fails.
func (l *Lock) Release() {
	unlockFile(l.f)
	l.f.Close()
	os.Remove(l.path)
}
