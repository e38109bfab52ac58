package setup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Repair takes the files from any verified copy of the package: the one
// installed from, once that folder is gone the cache's, and once no copy
// is left (or only a damaged one) a fresh download, when a source is open.
func TestRepairFromAnyCopy(t *testing.T) {
	ctx := context.Background()
	s := demoSetup(t)
	d, err := s.Download(ctx, "quill", "")
	if err != nil {
		t.Fatal(err)
	}
	// Installed from a deployment folder's copy, as a seat does.
	deploy := filepath.Join(t.TempDir(), "deployment")
	os.MkdirAll(deploy, 0o755)
	copyPath := filepath.Join(deploy, filepath.Base(d.Path))
	data, err := os.ReadFile(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(copyPath, data, 0o644)
	pkg, err := s.PackageFile(copyPath, d.Release.Packages[d.Platform].SHA256, d.Release.Packages[d.Platform].Format, "")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.InstallFile(ctx, pkg, "")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Package != copyPath {
		t.Fatalf("installed from %s, want the deployment's copy", rec.Package)
	}
	damage := func() {
		t.Helper()
		if err := os.Remove(filepath.Join(rec.Target, "bin", "quill")); err != nil {
			t.Fatal(err)
		}
	}
	// No source open (the command line's repair): the cache's copy.
	offline := New(nil, s.opt)
	os.RemoveAll(deploy)
	damage()
	got, err := offline.Repair(ctx, "quill")
	if err != nil {
		t.Fatalf("repair with the deployment folder gone: %v", err)
	}
	if got.Package != d.Path {
		t.Errorf("repaired from %s, want the cache's %s", got.Package, d.Path)
	}
	if v, err := offline.Verify(ctx, "quill"); err != nil || !v.OK() {
		t.Fatalf("verify after repair: %+v %v", v, err)
	}
	// The cache's copy damaged: not used. Without a source, the error
	// says where it looked and what to do.
	os.WriteFile(d.Path, []byte("not the package"), 0o644)
	damage()
	_, err = offline.Repair(ctx, "quill")
	var nc *NoCopyError
	if !errors.Is(err, ErrNoVerifiedCopy) || !errors.As(err, &nc) || len(nc.Looked) == 0 {
		t.Fatalf("repair with no verified copy and no source: %v", err)
	}
	// With the source: downloaded again, verified, into the cache.
	got, err = s.Repair(ctx, "quill")
	if err != nil {
		t.Fatalf("repair with a download: %v", err)
	}
	if !fileHasHash(d.Path, pkg.SHA256) || got.Package != d.Path {
		t.Errorf("the download did not put a verified copy in the cache (%s)", got.Package)
	}
	if v, err := s.Verify(ctx, "quill"); err != nil || !v.OK() {
		t.Fatalf("verify after repair: %+v %v", v, err)
	}
}
