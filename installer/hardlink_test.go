package installer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
)

// A hard link to an earlier regular file of the archive (perl's
// perl5.36.0 -> perl) installs as a file of its own in the receipt.
func TestHardLinksInTheTree(t *testing.T) {
	ctx := context.Background()
	files := []file{
		{name: "usr/bin/perl", body: "#!perl", mode: 0o755},
		{name: "usr/bin/perl5.36.0", hard: "usr/bin/perl"},
		{name: "usr/bin/again", hard: "./usr/bin/perl5.36.0"},
	}
	in := newInstaller(t)
	target := filepath.Join(t.TempDir(), "atlas")
	pkg := writePackage(t, buildTarGz(t, files), catalog.FormatTarGz, "1.0.0")
	plan, err := in.PlanInstall(ctx, pkg, target)
	if err != nil || plan.Files != 3 || plan.Bytes != 6 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	rec, err := in.Install(ctx, pkg, target)
	if err != nil {
		t.Fatal(err)
	}
	if rec.FileCount != 3 {
		t.Errorf("receipt %+v", listFiles(t, rec))
	}
	for _, n := range []string{"usr/bin/perl", "usr/bin/perl5.36.0", "usr/bin/again"} {
		if b, err := os.ReadFile(filepath.Join(target, n)); err != nil || string(b) != "#!perl" {
			t.Errorf("%s: %q %v", n, b, err)
		}
	}
	os.Remove(filepath.Join(target, "usr/bin/perl5.36.0"))
	if _, err := in.Repair(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
		t.Errorf("verify %+v %v", v, err)
	}
	if _, err := in.Uninstall(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("uninstall left the target")
	}
}

func TestHardLinksRefused(t *testing.T) {
	tests := []struct {
		name  string
		files []file
		want  string
	}{
		{"outside", []file{{name: "a", hard: "../../etc/passwd"}}, "'..'"},
		{"absolute", []file{{name: "a", hard: "/etc/passwd"}}, "absolute path"},
		{"later-entry", []file{{name: "a", hard: "b"}, {name: "b", body: "x"}}, "earlier regular file"},
		{"missing", []file{{name: "a", hard: "nowhere"}}, "earlier regular file"},
		{"to-a-folder", []file{{name: "d/", dir: true}, {name: "a", hard: "d"}}, "earlier regular file"},
		{"to-a-symlink", []file{{name: "s", link: "x"}, {name: "a", hard: "s"}}, "earlier regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRefused(t, writePackage(t, buildTarGz(t, tt.files), catalog.FormatTarGz, "1.0.0"), tt.want)
		})
	}
}

// A package named by a relative path is recorded by its absolute
// path, so repair works from any folder.
func TestRelativePackagePath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	os.Rename(pkg.Path, filepath.Join(dir, "atlas-1.0.0.zip"))
	t.Chdir(dir)
	pkg.Path = "atlas-1.0.0.zip"
	in := newInstaller(t)
	rec, err := in.Install(ctx, pkg, filepath.Join(t.TempDir(), "atlas"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Package != filepath.Join(dir, "atlas-1.0.0.zip") {
		t.Errorf("recorded package %q", rec.Package)
	}
	t.Chdir(t.TempDir())
	os.Remove(filepath.Join(rec.Target, "README.txt"))
	if _, err := in.Repair(ctx, "atlas"); err != nil {
		t.Fatalf("repair from another folder: %v", err)
	}
}
