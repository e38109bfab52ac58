package flock

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
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

// Another process holding the lock excludes this one until it exits, and
// its death lets go without a Release (the OS drops the lock).
func TestLockAcrossProcesses(t *testing.T) {
	if path := os.Getenv("FLOCK_CHILD"); path != "" {
		if _, ok, err := TryLock(path); !ok || err != nil {
			os.Stdout.WriteString("refused\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("held\n")
		io.Copy(io.Discard, os.Stdin) // hold until the parent closes stdin
		os.Exit(0)                    // without Release: the OS lets go
	}
	path := filepath.Join(t.TempDir(), "product.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockAcrossProcesses$")
	cmd.Env = append(os.Environ(), "FLOCK_CHILD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "held\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q, %v", line, err)
	}
	_, ok, err := TryLock(path)
	if ok || err != nil {
		t.Errorf("TryLock while another process holds it: %v %v", ok, err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("Acquire after the holder died: %v", err)
	}
	l.Release()
}

// Release removes the lock file, and a link planted at the lock's name is
// removed, never opened: its target is left as it was.
func TestReleaseAndPlantedLink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.lock")
	l, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	l.Release()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Release the lock file is still there: %v", err)
	}
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	l, ok, err = TryLock(path)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	defer l.Release()
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		t.Errorf("the lock is not a file of its own: %v %v", st, err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "keep" {
		t.Errorf("the link's target became %q, %v", b, err)
	}
}
