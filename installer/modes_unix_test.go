//go:build unix

package installer

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"onramp.dev/onramp/catalog"
)

// The archive's permission bits land exactly (not cut by the
// umask; never setuid, setgid or sticky), folders keep theirs, and the
// receipt records what is on disk, so a fresh install verifies.
func TestModesAsInTheArchive(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	files := []file{
		{name: "group-write.txt", body: "g", mode: 0o664},
		{name: "all-write.txt", body: "a", mode: 0o666},
		{name: "run.sh", body: "#!/bin/sh\n", mode: 0o775},
		{name: "read-only.txt", body: "r", mode: 0o444},
		{name: "setuid", body: "s", mode: 0o755 | fs.ModeSetuid | fs.ModeSticky},
		{name: "private/", dir: true, mode: 0o700},
		{name: "private/key", body: "k", mode: 0o600},
		{name: "shared/", dir: true, mode: 0o775},
		{name: "shared/x", body: "x", mode: 0o644},
	}
	want := map[string]fs.FileMode{
		"group-write.txt": 0o664, "all-write.txt": 0o666, "run.sh": 0o775, "read-only.txt": 0o444, "setuid": 0o755,
		"private": fs.ModeDir | 0o700, "private/key": 0o600, "shared": fs.ModeDir | 0o775, "shared/x": 0o644,
	}
	for _, format := range []catalog.Format{catalog.FormatZip, catalog.FormatTarGz} {
		t.Run(string(format), func(t *testing.T) {
			build := buildZip
			if format == catalog.FormatTarGz {
				build = buildTarGz
			}
			ctx := context.Background()
			in := newInstaller(t)
			target := filepath.Join(t.TempDir(), "atlas")
			if _, err := in.Install(ctx, writePackage(t, build(t, files), format, "1.0.0"), target); err != nil {
				t.Fatal(err)
			}
			check := func(when string) {
				t.Helper()
				for name, mode := range want {
					st, err := os.Lstat(filepath.Join(target, name))
					if err != nil || st.Mode()&(fs.ModeDir|fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != mode {
						t.Errorf("%s: %s has mode %v, want %v (%v)", when, name, st.Mode(), mode, err)
					}
				}
				if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
					t.Errorf("%s: verify %+v %v", when, v, err)
				}
			}
			check("after install")
			os.Chmod(filepath.Join(target, "private"), 0o755)
			os.Chmod(filepath.Join(target, "run.sh"), 0o755)
			if v, _ := in.Verify(ctx, "atlas"); len(v.Changed) != 2 {
				t.Errorf("verify after chmod: %+v", v)
			}
			if _, err := in.Repair(ctx, "atlas"); err != nil {
				t.Fatal(err)
			}
			check("after repair")
		})
	}
}
