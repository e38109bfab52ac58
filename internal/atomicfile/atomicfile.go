// Package atomicfile is Onramp's one way to replace a file: a reader, or
// the next run after a crash or a power cut, finds either the old content
// or the whole new one, never a mix and never an empty file. Receipts,
// journals, deployment documents, the catalog history, a transfer's
// description, sessions and the publisher profile are written through it.
//
// How: the new content goes to a temporary file in the same folder (a
// rename is atomic only within one volume), which is given its final mode,
// synced, closed, then renamed over the target. A failure at any step
// removes the temporary file and leaves the target as it was.
//
// The fsync rule, stated here once: the new file is always synced before
// the rename, because file systems may put the rename on disk before the
// data (ext4, APFS, NTFS alike), and a crash then leaves the name on an
// empty or partial file. The folder is not synced after the rename: a
// crash may then undo the rename, and the reader finds the old content,
// which is one of the two outcomes promised. Callers never sync
// themselves, and nothing in Onramp writes a file it must not lose in
// any other way.
//
// Verified downloads are not written here: the downloader streams them
// into a partial file it hashes before promoting it (downloader/cache.go).
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// ErrNotRegular: the target exists and is not a regular file (a folder,
// a device); replacing it would lose what it is.
var ErrNotRegular = errors.New("exists and is not a regular file")

// WriteFile replaces path with data, with permissions perm (ignored on
// Windows, where files inherit their folder's access rules).
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return write(path, perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// Write replaces path with what fill writes, through a buffer; an error
// from fill leaves path as it was and is returned as is. A symbolic link
// at path is replaced by the file, never written through.
func Write(path string, perm fs.FileMode, fill func(w io.Writer) error) error {
	return write(path, perm, func(f *os.File) error {
		w := writers.Get().(*bufio.Writer)
		defer writers.Put(w)
		w.Reset(f)
		defer w.Reset(nil) // the pool keeps no file
		if err := fill(w); err != nil {
			return err
		}
		return w.Flush()
	})
}

// writers are Write's buffers, 64 KiB each: a receipt of 100,000 files
// goes out in 64 KiB writes, and an install that writes three small
// files takes one fresh buffer, not three (each fresh page of one is a
// page fault).
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// write replaces path with what fill writes to the temporary file.
func write(path string, perm fs.FileMode, fill func(f *os.File) error) (err error) {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() && st.Mode()&fs.ModeSymlink == 0 {
		return fmt.Errorf("%s %w", path, ErrNotRegular)
	}
	// A name of our own: two processes may replace the same file at once,
	// and the last rename wins whole.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// The final mode before any content: the file is never readable more
	// widely than perm allows (CreateTemp makes it 0600).
	if runtime.GOOS != "windows" {
		if err := tmp.Chmod(perm); err != nil {
			return err
		}
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
