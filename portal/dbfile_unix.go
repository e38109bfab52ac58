//go:build !windows

package portal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// privateDBFiles makes the SQLite database and its -wal and -shm files
// readable by their owner only: they hold undelivered start emails, with
// temporary passwords. A missing database is created 0600 (SQLite then
// gives its -wal and -shm the database's mode); existing files readable by
// others are tightened, and named in what it returns, for the log.
func privateDBFiles(path string) (tightened []string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return nil, f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != path {
			continue
		}
		if err != nil {
			return tightened, fmt.Errorf("database %s: %w", p, err)
		}
		if fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
			return tightened, fmt.Errorf("database %s is readable by other users (mode %04o) and cannot be made private: %w; run chmod 600 on it", p, fi.Mode().Perm(), err)
		}
		tightened = append(tightened, p)
	}
	return tightened, nil
}
