package installer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// createNew makes a new file with the mode asked (less the umask) and
// never opens what is already there: a file, or a link to a file
// elsewhere, dangling or not.
func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := createNew(filepath.Join(dir, "new"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "new")); string(got) != "data" {
		t.Fatalf("wrote %q", got)
	}
	if st, _ := os.Stat(filepath.Join(dir, "new")); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	for name, make := range map[string]func(p string) error{
		"a file":          func(p string) error { return os.WriteFile(p, []byte("theirs"), 0o600) },
		"a link out":      func(p string) error { return os.Symlink(outside, p) },
		"a dangling link": func(p string) error { return os.Symlink(filepath.Join(dir, "nowhere"), p) },
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := make(p); err != nil {
				if runtime.GOOS == "windows" { // links need a privilege there
					t.Skipf("cannot make %s here: %v", name, err)
				}
				t.Fatal(err)
			}
			if f, err := createNew(p, 0o644); !errors.Is(err, fs.ErrExist) {
				if f != nil {
					f.Close()
				}
				t.Fatalf("created over %s: %v", name, err)
			}
			if got, _ := os.ReadFile(outside); string(got) != "keep" {
				t.Fatalf("the file outside changed: %q", got)
			}
			if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
				t.Fatal("a file was created through the dangling link")
			}
		})
	}
}
