//go:build unix

package installer

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
)

// timed is an archive member with its time and mode.
type timed struct {
	name string
	mode fs.FileMode
	when time.Time
}

func timedTarGz(t *testing.T, ms []timed) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Mode: int64(m.mode.Perm()), ModTime: m.when, Typeflag: tar.TypeReg, Size: 4}
		if m.mode.IsDir() {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		tw.WriteHeader(h)
		if h.Size > 0 {
			tw.Write([]byte("body"))
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func timedZip(t *testing.T, ms []timed, dosOnly bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		if dosOnly {
			// Only the MS-DOS fields, as Windows' own zip writes them: the
			// maker's wall clock. Setting Modified would add a UTC time.
			//lint:ignore SA1019 the deprecated fields are the only way to write a zip without an extended timestamp
			h.ModifiedTime = uint16(m.when.Hour()<<11 | m.when.Minute()<<5 | m.when.Second()/2)
			//lint:ignore SA1019 as above
			h.ModifiedDate = uint16((m.when.Year()-1980)<<9 | int(m.when.Month())<<5 | m.when.Day())
		} else {
			h.Modified = m.when
		}
		h.SetMode(m.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if !m.mode.IsDir() {
			w.Write([]byte("body"))
		}
	}
	zw.Close()
	return buf.Bytes()
}

// Files and folders get the archive's modification times, folders once
// their content is written; folders keep the archive's modes exactly,
// however little they let their owner do, and uninstall, repair, upgrade
// and rollback still work in them.
func TestTimesAndExactFolderModes(t *testing.T) {
	if runAsUser(t, "TestTimesAndExactFolderModes") {
		return
	}
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	t1 := time.Date(2019, 5, 6, 7, 8, 10, 0, time.UTC)
	t2 := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	t3 := time.Date(2010, 10, 10, 10, 10, 10, 0, time.UTC)
	members := []timed{
		{"locked/", fs.ModeDir | 0o142, t2},
		{"locked/inner/", fs.ModeDir | 0o500, t3},
		{"locked/inner/file.txt", 0o644, t1},
		{"top.txt", 0o600, t3},
	}
	// Wall clock: a zip with only the MS-DOS time reads it in this zone.
	local := func(u time.Time) time.Time {
		return time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, time.Local)
	}
	tests := []struct {
		name   string
		format catalog.Format
		data   []byte
		zone   func(time.Time) time.Time
	}{
		{"tar", catalog.FormatTarGz, timedTarGz(t, members), func(u time.Time) time.Time { return u }},
		{"zip", catalog.FormatZip, timedZip(t, members, false), func(u time.Time) time.Time { return u }},
		{"zip-dos-time", catalog.FormatZip, timedZip(t, members, true), local},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			in := newInstaller(t)
			target := filepath.Join(t.TempDir(), "atlas")
			t.Cleanup(func() {
				filepath.WalkDir(target, func(p string, d fs.DirEntry, err error) error { os.Chmod(p, 0o755); return nil })
			})
			check := func(when string) {
				t.Helper()
				for _, m := range members {
					p := filepath.Join(target, filepath.FromSlash(m.name))
					st, err := os.Lstat(p)
					if err != nil {
						t.Errorf("%s: %v", when, err)
						continue
					}
					if got := st.Mode() & (fs.ModeDir | fs.ModePerm); got != m.mode {
						t.Errorf("%s: %s has mode %v, want %v", when, m.name, got, m.mode)
					}
					if !st.ModTime().Equal(tt.zone(m.when)) {
						t.Errorf("%s: %s has mtime %v, want %v", when, m.name, st.ModTime(), tt.zone(m.when))
					}
				}
			}
			if _, err := in.Install(ctx, writePackage(t, tt.data, tt.format, "1.0.0"), target); err != nil {
				t.Fatal(err)
			}
			check("install")
			if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
				t.Errorf("verify: %+v %v", v, err)
			}
			if _, err := in.Repair(ctx, "atlas"); err != nil {
				t.Fatalf("repair: %v", err)
			}
			check("repair")
			if _, err := in.Install(ctx, writePackage(t, tt.data, tt.format, "2.0.0"), target); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			if _, err := in.Install(ctx, writePackage(t, tt.data, tt.format, "3.0.0"), target); err != nil {
				t.Fatalf("second upgrade (drops the oldest kept version): %v", err)
			}
			if _, err := in.Rollback(ctx, "atlas"); err != nil {
				t.Fatalf("rollback: %v", err)
			}
			check("rollback")
			if left, err := in.Uninstall(ctx, "atlas"); err != nil || len(left) != 0 {
				t.Fatalf("uninstall: %q %v", left, err)
			}
			if _, err := os.Stat(target); err == nil {
				t.Errorf("uninstall left %s", target)
			}
			if es, _ := os.ReadDir(filepath.Dir(target)); len(es) != 0 {
				t.Errorf("left beside the target: %v", es)
			}
		})
	}
}
