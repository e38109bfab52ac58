//go:build !windows

package portal

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// The database holds undelivered start emails: it and its -wal and -shm
// are the owner's only, whatever the umask, and an existing one readable
// by others is made private, and said to be.
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "portal.db")
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tightened) != 0 {
		t.Errorf("a new database reports %q tightened", s.Tightened)
	}
	// A write makes the -wal and -shm exist.
	if _, err := s.limitFail(context.Background(), "test", "k", time.Now(), 5, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	s.Close()

	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o644)
	}
	s, err = OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !slices.Contains(s.Tightened, path) {
		t.Errorf("reported tightened: %q, want the database among them", s.Tightened)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s after reopening: mode %04o, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}
