package installer

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// createWhole gives the file its bytes, the mode exactly (whatever the
// umask takes off) and the modification time, and never writes through
// a file or link already there.
func TestCreateWhole(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	umask := processUmask()
	if umask != 0o027 {
		t.Fatalf("umask read as %o, want 027", umask)
	}
	dir := t.TempDir()
	mtime := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
	for _, mode := range []fs.FileMode{0o644, 0o755, 0o600, 0o444, 0o777, 0o000} {
		for _, um := range []int{umask, -1} {
			p := filepath.Join(dir, fmt.Sprintf("f%o-%d", mode, um))
			if err := createWhole(p, []byte("body"), mode, mtime, um); err != nil {
				t.Fatal(err)
			}
			st, err := os.Lstat(p)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != mode || !st.ModTime().Equal(mtime) || st.Size() != 4 {
				t.Errorf("%s: mode %v, time %v, size %d; want %v, %v, 4", p, st.Mode().Perm(), st.ModTime(), st.Size(), mode, mtime)
			}
		}
	}
	os.Symlink("elsewhere", filepath.Join(dir, "link"))
	if err := createWhole(filepath.Join(dir, "link"), []byte("x"), 0o644, time.Time{}, umask); err == nil {
		t.Error("written through a link")
	}
	if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); err == nil {
		t.Error("the link's target was created")
	}
}

// BenchmarkCreateSmallFile writes a 1 KiB file with its mode and time:
// createWhole against the *os.File path of stager.write.
func BenchmarkCreateSmallFile(b *testing.B) {
	data := make([]byte, 1024)
	mtime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	umask := processUmask()
	b.Run("createWhole", func(b *testing.B) {
		dir := b.TempDir()
		i := 0
		for b.Loop() {
			i++
			if err := createWhole(filepath.Join(dir, fmt.Sprint(i)), data, 0o644, mtime, umask); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("os.File", func(b *testing.B) {
		dir := b.TempDir()
		i := 0
		for b.Loop() {
			i++
			p := filepath.Join(dir, fmt.Sprint(i))
			f, err := createNew(p, 0o644|0o200)
			if err != nil {
				b.Fatal(err)
			}
			f.Write(data)
			st, _ := f.Stat()
			if st.Mode().Perm() != 0o644 {
				f.Chmod(0o644)
			}
			f.Close()
			if err := os.Chtimes(p, time.Time{}, mtime); err != nil {
				b.Fatal(err)
			}
		}
	})
}
