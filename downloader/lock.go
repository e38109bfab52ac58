package downloader

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// One transfer at a time per destination, across goroutines and processes:
// an exclusive OS lock on Dest+".part.lock" guards Dest, its partial file
// and the partial file's description. A second Fetch to the same place
// waits for the first (it then finds the verified file and transfers
// nothing): two callers asking for one file want the same outcome, and
// failing the second would make scripts and the window retry by hand. The
// wait ends with the caller's context.

// lockPoll is how often a waiting Fetch tries the lock again: OS locks
// cannot wait on a context.
const lockPoll = 100 * time.Millisecond

func lockPath(dest string) string { return dest + ".part.lock" }

// destLock is a held lock; release it once.
type destLock struct {
	f    *os.File
	path string
}

// tryLockDest takes dest's lock without waiting; ok is false when another
// transfer holds it.
func tryLockDest(dest string) (l *destLock, ok bool, err error) {
	path := lockPath(dest)
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
			return &destLock{f: f, path: path}, true, nil
		}
		unlockFile(f)
		f.Close()
	}
}

// lockDest takes dest's lock, waiting while another transfer holds it;
// waiting is called once if it has to wait.
func lockDest(ctx context.Context, dest string, waiting func()) (*destLock, error) {
	told := false
	for {
		l, ok, err := tryLockDest(dest)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", lockPath(dest), err)
		}
		if ok {
			return l, nil
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// ErrBusy: another transfer to this destination is running (from
// RemovePartial, which does not wait).
var ErrBusy = errors.New("another transfer to this destination is running")
