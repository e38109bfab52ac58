package installer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
)

// Repair without its package (deleted, or replaced by other bytes) says
// so and changes nothing: the damaged install and the user's files stay.
func TestRepairWithoutItsPackage(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(path string)
		is     error
		isHash bool
	}{
		{"package-deleted", func(p string) { os.Remove(p) }, fs.ErrNotExist, false},
		{"package-replaced", func(p string) { os.WriteFile(p, []byte("other bytes"), 0o644) }, ErrPackageHash, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			in := newInstaller(t)
			target := filepath.Join(t.TempDir(), "atlas")
			pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
			if _, err := in.Install(ctx, pkg, target); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(target, "mine.txt"), []byte("mine"), 0o644)
			os.Remove(filepath.Join(target, "README.txt"))
			before := tree(t, filepath.Dir(target))
			tt.spoil(pkg.Path)
			_, err := in.Repair(ctx, "atlas")
			if !errors.Is(err, tt.is) {
				t.Fatalf("repair: %v, want %v", err, tt.is)
			}
			if got := tree(t, filepath.Dir(target)); !equalTrees(got, before) {
				t.Errorf("a failed repair changed the folder: %v, was %v", got, before)
			}
			if r, err := in.Receipt("atlas"); err != nil || r.Version != "1.0.0" {
				t.Errorf("receipt: %+v %v", r, err)
			}
		})
	}
}

// A target that is a link to a folder: the install goes into the folder
// it points to, and the link stays a link.
func TestTargetIsALink(t *testing.T) {
	ctx := context.Background()
	in := newInstaller(t)
	parent := t.TempDir()
	real := filepath.Join(parent, "data", "atlas")
	os.MkdirAll(real, 0o755)
	target := filepath.Join(parent, "atlas")
	if err := os.Symlink(real, target); err != nil {
		t.Skip(err)
	}
	v1 := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	v2 := writePackage(t, buildZip(t, append([]file{{name: "NEW.txt", body: "v2"}}, product...)), catalog.FormatZip, "2.0.0")
	for _, p := range []Package{v1, v2} {
		if _, err := in.Install(ctx, p, target); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(target); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v %v", st, err)
		}
		if _, err := os.Stat(filepath.Join(real, "README.txt")); err != nil {
			t.Fatalf("not installed where the link points: %v", err)
		}
	}
	if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
		t.Errorf("verify %+v %v", v, err)
	}
	if _, err := in.Rollback(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Uninstall(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(target); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("uninstall removed the user's link: %v", err)
	}
}
