// Package flock is Onramp's one exclusive file lock, across goroutines
// and processes: the downloader guards a destination with it, the account
// client the refresh of a saved session, the installer a product's
// install, the catalog its history of seen catalogs. The OS drops a lock
// when its process dies, so a crash never leaves one held.
//
// The lock is flock(2) on Unix and LockFileEx on Windows, taken on a file
// of its own beside what it guards (never on the guarded file, which is
// replaced by rename). Both belong to the open file, so two opens in one
// process exclude each other as two processes do. A released lock removes
// its file where the OS allows it, so locks leave nothing behind.
package flock

import (
	"context"
	"fmt"
	"os"
	"time"
)

// poll is how often a waiting Acquire tries the lock again: OS locks
// cannot wait on a context.
const poll = 100 * time.Millisecond

// Lock is a held lock; release it once.
type Lock struct {
	f    *os.File
	path string
}

// TryLock takes the lock at path without waiting; ok is false when
// another holder has it.
func TryLock(path string) (l *Lock, ok bool, err error) {
	for {
		if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
			// A planted link: never open what it points to.
			if err := os.Remove(path); err != nil {
				return nil, false, err
			}
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return nil, false, err
		}
		got, err := lockFile(f)
		if err != nil || !got {
			f.Close()
			return nil, false, err
		}
		// The holder before us removes the file as it lets go: a lock on a
		// name that is gone guards nothing, so take the current one.
		st, err := os.Lstat(path)
		fst, ferr := f.Stat()
		if err == nil && ferr == nil && os.SameFile(st, fst) && st.Mode().IsRegular() {
			return &Lock{f: f, path: path}, true, nil
		}
		unlockFile(f)
		f.Close()
	}
}

// Acquire takes the lock at path, waiting while another holder has it;
// waiting is called once if it has to wait. The wait ends with ctx.
func Acquire(ctx context.Context, path string, waiting func()) (*Lock, error) {
	told := false
	for {
		l, ok, err := TryLock(path)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return l, nil
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
