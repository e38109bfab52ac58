package installer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"onramp.dev/onramp/catalog"
)

// writeUserFiles puts files a user made into dir; it returns them by path.
func writeUserFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{
		"my-notes.txt":             "mine",
		"share/data/my-layer.dat":  "layer",
		"projects/2026/plan.md":    "plan",
		"projects/2026/empty-dir/": "",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if name[len(name)-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// assertUserFiles checks every user file is at its place with its content.
func assertUserFiles(t *testing.T, dir string, files map[string]string, when string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if name[len(name)-1] == '/' {
			if st, err := os.Stat(p); err != nil || !st.IsDir() {
				t.Errorf("%s: the user's folder %s is gone: %v", when, name, err)
			}
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != body {
			t.Errorf("%s: the user's file %s: %q %v", when, name, b, err)
		}
	}
}

// A folder Onramp did not fill is not taken over without consent,
// and with consent its files are never moved away or deleted.
func TestNonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	t.Run("refused", func(t *testing.T) {
		in := newInstaller(t)
		target := filepath.Join(t.TempDir(), "Documents")
		files := writeUserFiles(t, target)
		before := tree(t, filepath.Dir(target))
		if _, err := in.PlanInstall(ctx, pkg, target); !errors.Is(err, ErrTargetNotEmpty) {
			t.Errorf("the plan does not say so: %v", err)
		}
		_, err := in.Install(ctx, pkg, target)
		var ne *TargetNotEmptyError
		if !errors.Is(err, ErrTargetNotEmpty) || !errors.As(err, &ne) || ne.Target != target {
			t.Fatalf("install into a user's folder: %v", err)
		}
		if got := tree(t, filepath.Dir(target)); !equalTrees(got, before) {
			t.Errorf("refused install changed the folder: %v, was %v", got, before)
		}
		assertUserFiles(t, target, files, "after the refusal")
		if _, err := in.Receipt("atlas"); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("receipt after a refusal: %v", err)
		}
	})
	t.Run("empty-folder-is-fine", func(t *testing.T) {
		in := newInstaller(t)
		target := filepath.Join(t.TempDir(), "atlas")
		os.Mkdir(target, 0o755)
		if _, err := in.Install(ctx, pkg, target); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("allowed", func(t *testing.T) {
		in, err := New(Options{StateDir: t.TempDir(), AllowNonEmptyTarget: true, Scope: ScopeUser})
		if err != nil {
			t.Fatal(err)
		}
		parent := t.TempDir()
		target := filepath.Join(parent, "Documents")
		files := writeUserFiles(t, target)
		folder, _ := os.Stat(target)
		// The user's folder itself is never moved or replaced.
		sameFolder := func(when string) {
			t.Helper()
			if now, err := os.Stat(target); err != nil || !os.SameFile(folder, now) {
				t.Errorf("%s: the user's folder was moved or replaced (%v)", when, err)
			}
		}
		rec, err := in.Install(ctx, pkg, target)
		if err != nil {
			t.Fatal(err)
		}
		assertUserFiles(t, target, files, "after install")
		sameFolder("install")
		if entries, _ := os.ReadDir(parent); len(entries) != 1 {
			t.Errorf("beside the target after install: %v", entries)
		}
		if want := []string{"my-notes.txt", "projects/2026/plan.md", "share/data/my-layer.dat"}; !slices.Equal(rec.Kept, want) {
			t.Errorf("install reports kept %v, want %v", rec.Kept, want)
		}
		if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
			t.Errorf("verify: %+v %v", v, err)
		}
		if _, err := in.Repair(ctx, "atlas"); err != nil {
			t.Fatal(err)
		}
		assertUserFiles(t, target, files, "after repair")
		sameFolder("repair")
		v2 := writePackage(t, buildTarGz(t, append([]file{{name: "NEW.txt", body: "v2"}}, product[:3]...)), catalog.FormatTarGz, "2.0.0")
		for _, step := range []string{"upgrade", "rollback", "rollback-again"} {
			var err error
			if step == "upgrade" {
				_, err = in.Install(ctx, v2, target)
			} else {
				_, err = in.Rollback(ctx, "atlas")
			}
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			assertUserFiles(t, target, files, step)
			sameFolder(step)
			if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
				t.Errorf("%s: verify %+v %v", step, v, err)
			}
		}
		if _, err := in.Repair(ctx, "atlas"); err != nil {
			t.Fatal(err)
		}
		sameFolder("repair of v2")
		left, err := in.Uninstall(ctx, "atlas")
		if err != nil {
			t.Fatal(err)
		}
		assertUserFiles(t, target, files, "after uninstall")
		sameFolder("uninstall")
		if want := []string{"my-notes.txt", "projects/2026/plan.md", "share/data/my-layer.dat"}; !slices.Equal(left, want) {
			t.Errorf("uninstall left %v, want %v", left, want)
		}
		for _, gone := range []string{"NEW.txt", "bin/tool", "README.txt"} {
			if _, err := os.Lstat(filepath.Join(target, gone)); err == nil {
				t.Errorf("uninstall left %s", gone)
			}
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 1 {
			t.Errorf("beside the target after uninstall: %v", entries)
		}
	})
}

// A file of the user's where the package puts one of its own: refused
// before anything is written, naming the path.
func TestUserFileInTheWay(t *testing.T) {
	ctx := context.Background()
	in := newInstaller(t)
	target := filepath.Join(t.TempDir(), "atlas")
	v1 := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	if _, err := in.Install(ctx, v1, target); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(target, "NEW.txt"), []byte("the user's"), 0o644)
	before := tree(t, filepath.Dir(target))
	v2 := writePackage(t, buildZip(t, append([]file{{name: "NEW.txt", body: "v2"}}, product...)), catalog.FormatZip, "2.0.0")
	if _, err := in.PlanInstall(ctx, v2, target); !errors.Is(err, ErrInTheWay) {
		t.Errorf("the plan does not say so: %v", err)
	}
	_, err := in.Install(ctx, v2, target)
	var ce *ConflictError
	if !errors.Is(err, ErrInTheWay) || !errors.As(err, &ce) || !slices.Equal(ce.Paths, []string{"NEW.txt"}) {
		t.Fatalf("upgrade over a user's file: %v", err)
	}
	if got := tree(t, filepath.Dir(target)); !equalTrees(got, before) {
		t.Errorf("a refused upgrade changed the folder: %v, was %v", got, before)
	}
	if _, err := os.Lstat(in.stagingNote("atlas")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused upgrade left its staging note: %v", err)
	}
}

// Files the user added survive repair, two upgrades and a
// rollback, at their place, and each step lists them.
func TestUserFilesSurviveEveryStep(t *testing.T) {
	ctx := context.Background()
	in := newInstaller(t)
	parent := t.TempDir()
	target := filepath.Join(parent, "atlas")
	v1 := writePackage(t, buildTarGz(t, product), catalog.FormatTarGz, "1.0.0")
	v2 := writePackage(t, buildZip(t, append([]file{{name: "NEW.txt", body: "v2"}}, product...)), catalog.FormatZip, "2.0.0")
	v3 := writePackage(t, buildZip(t, append([]file{{name: "NEW.txt", body: "v3"}, {name: "V3.txt", body: "3"}}, product[:4]...)), catalog.FormatZip, "3.0.0")
	if _, err := in.Install(ctx, v1, target); err != nil {
		t.Fatal(err)
	}
	files := writeUserFiles(t, target)
	wantKept := []string{"my-notes.txt", "projects/2026/plan.md", "share/data/my-layer.dat"}
	steps := []struct {
		name string
		do   func() (*Receipt, error)
	}{
		{"upgrade-to-v2", func() (*Receipt, error) { return in.Install(ctx, v2, target) }},
		{"upgrade-to-v3", func() (*Receipt, error) { return in.Install(ctx, v3, target) }},
		{"repair", func() (*Receipt, error) {
			os.Remove(filepath.Join(target, "README.txt"))
			return in.Repair(ctx, "atlas")
		}},
		{"rollback", func() (*Receipt, error) { return in.Rollback(ctx, "atlas") }},
		{"rollback-again", func() (*Receipt, error) { return in.Rollback(ctx, "atlas") }},
		{"repair-again", func() (*Receipt, error) { return in.Repair(ctx, "atlas") }},
	}
	for _, s := range steps {
		rec, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		assertUserFiles(t, target, files, s.name)
		if !slices.Equal(rec.Kept, wantKept) {
			t.Errorf("%s: reports kept %v, want %v", s.name, rec.Kept, wantKept)
		}
		if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
			t.Errorf("%s: verify %+v %v", s.name, v, err)
		}
		// Nothing of the user's in the version kept for rollback.
		filepath.WalkDir(previousDir(target, "atlas"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Base(p) != "" {
				rel, _ := filepath.Rel(previousDir(target, "atlas"), p)
				if _, mine := files[filepath.ToSlash(rel)]; mine {
					t.Errorf("%s: the user's %s is in the kept version", s.name, rel)
				}
			}
			return nil
		})
	}
	left, err := in.Uninstall(ctx, "atlas")
	if err != nil {
		t.Fatal(err)
	}
	assertUserFiles(t, target, files, "uninstall")
	if !slices.Equal(left, wantKept) {
		t.Errorf("uninstall left %v", left)
	}
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
