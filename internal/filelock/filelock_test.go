package filelock

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// A held lock excludes a second holder, in this process as in another
// (flock and LockFileEx belong to the open file); a waiter's wait ends with
// its context; a released lock can be taken again.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.lock")
	l, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatalf("first TryLock: %v %v", ok, err)
	}
	if _, ok, err := TryLock(path); ok || err != nil {
		t.Fatalf("second TryLock while held: %v %v", ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	waited := false
	if _, err := Acquire(ctx, path, func() { waited = true; cancel() }); !errors.Is(err, context.Canceled) || !waited {
		t.Fatalf("Acquire while held: %v (waited %v)", err, waited)
	}
	l.Release()
	l2, err := Acquire(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	l2.Release()
}
