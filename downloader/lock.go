package downloader

import (
	"context"
	"errors"

	"onramp.dev/onramp/internal/flock"
)

// One transfer at a time per destination, across goroutines and processes:
// an exclusive OS lock on Dest+".part.lock" guards Dest, its partial file
// and the partial file's description. A second Fetch to the same place
// waits for the first (it then finds the verified file and transfers
// nothing): two callers asking for one file want the same outcome, and
// failing the second would make scripts and the window retry by hand. The
// wait ends with the caller's context.

func lockPath(dest string) string { return dest + ".part.lock" }

// destLock is a held lock on a destination; release it once.
type destLock = flock.Lock

// tryLockDest takes dest's lock without waiting; ok is false when another
// transfer holds it.
func tryLockDest(dest string) (l *destLock, ok bool, err error) {
	return flock.TryLock(lockPath(dest))
}

// lockDest takes dest's lock, waiting while another transfer holds it;
// waiting is called once if it has to wait.
func lockDest(ctx context.Context, dest string, waiting func()) (*destLock, error) {
	return flock.Acquire(ctx, lockPath(dest), waiting)
}

// ErrBusy: another transfer to this destination is running (from
// RemovePartial, which does not wait).
var ErrBusy = errors.New("another transfer to this destination is running")
