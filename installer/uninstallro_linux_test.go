package installer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"onramp.dev/onramp/catalog"
)

// mountTmpfs mounts a tmpfs with the given options on a new folder; it
// needs root, which CI has: there a failure to mount fails the test.
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mounting a tmpfs (%s): %v", opts, err)
		}
		t.Skipf("mounting a tmpfs needs root: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// Uninstalling from a folder on a read-only disk says so in a sentence
// naming the folder and what to do, removes nothing and keeps the
// receipt; once the disk is writable again, uninstall completes.
func TestUninstallReadOnly(t *testing.T) {
	mnt := mountTmpfs(t, "size=4m")
	target := filepath.Join(mnt, "atlas")
	in := newInstaller(t)
	pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	if _, err := in.Install(context.Background(), pkg, target); err != nil {
		t.Fatal(err)
	}
	before := tree(t, target)
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatal(err)
	}
	_, err := in.Uninstall(context.Background(), "atlas")
	var ue *UninstallError
	if !errors.Is(err, ErrReadOnly) || !errors.As(err, &ue) || ue.Folder != target ||
		!strings.Contains(err.Error(), target) || !strings.Contains(err.Error(), "run uninstall again") || strings.Contains(err.Error(), "read-only file system:") {
		t.Fatalf("err = %v, want an UninstallError naming %s", err, target)
	}
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT, ""); err != nil {
		t.Fatal(err)
	}
	if after := tree(t, target); len(after) != len(before) {
		t.Fatalf("files removed on a failed uninstall: %v -> %v", before, after)
	}
	if _, err := in.Uninstall(context.Background(), "atlas"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there: %v", target, err)
	}
}
