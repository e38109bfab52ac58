//go:build unix

package profile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// requireRoot: only root can make files owned by root and by others.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs root, to own files as root and as another user")
		}
		t.Skip("needs root")
	}
}

// A machine-wide profile that a user other than root owns, or that group
// or others may write (file or folder), is refused with the reason and
// the repair; its keys are never used.
func TestLoadRefusesUnprotectedMachineProfile(t *testing.T) {
	requireRoot(t)
	good, err := os.ReadFile(filepath.Join("testdata", "good.json"))
	if err != nil {
		t.Fatal(err)
	}
	const nobody = 65534
	for _, tt := range []struct {
		name   string
		change func(dir, path string) error
		says   string
	}{
		{"file owned by another user", func(dir, path string) error { return os.Chown(path, nobody, -1) }, "profile.json is owned by uid 65534"},
		{"folder owned by another user", func(dir, path string) error { return os.Chown(dir, nobody, -1) }, "onramp is owned by uid 65534"},
		{"file group-writable", func(dir, path string) error { return os.Chmod(path, 0o664) }, "profile.json can be written by its group"},
		{"file world-writable", func(dir, path string) error { return os.Chmod(path, 0o646) }, "profile.json can be written by everyone"},
		{"folder world-writable", func(dir, path string) error { return os.Chmod(dir, 0o777) }, "onramp can be written by everyone"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "onramp")
			path := filepath.Join(dir, "profile.json")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, good, 0o644); err != nil {
				t.Fatal(err)
			}
			if p, err := load(path); err != nil || p == nil {
				t.Fatalf("root-owned profile: %+v, %v", p, err)
			}
			if err := tt.change(dir, path); err != nil {
				t.Fatal(err)
			}
			p, err := load(path)
			if p != nil || !errors.Is(err, ErrUnprotected) {
				t.Fatalf("got %+v, %v; want ErrUnprotected", p, err)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Source != path {
				t.Errorf("error %v does not name %s", err, path)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.says) || !strings.Contains(msg, "chown root") {
				t.Errorf("error %q does not say %q and how to fix it", msg, tt.says)
			}
			// The per-user override is the caller's own choice and stays unjudged.
			if p, err := ReadFile(path); err != nil || p == nil {
				t.Errorf("ReadFile: %+v, %v", p, err)
			}
		})
	}
}

// The machine-wide file wins over the embedded one; a broken one is an
// error, never skipped for the embedded profile; a missing one is none.
func TestLoadMachineWide(t *testing.T) {
	requireRoot(t) // the machine-wide file must be root's
	dir := t.TempDir()
	if p, err := load(filepath.Join(dir, "missing.json")); err != nil || p != nil {
		t.Fatalf("no machine-wide file and none embedded: %+v, %v", p, err)
	}
	good, _ := os.ReadFile(filepath.Join("testdata", "good.json"))
	path := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := load(path); err != nil || p == nil || p.Source != path {
		t.Fatalf("machine-wide profile: %+v, %v", p, err)
	}
	if err := os.WriteFile(path, []byte(`{"publisher": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(path); err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("broken machine-wide profile: %v", err)
	}
}
