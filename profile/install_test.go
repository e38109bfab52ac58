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

// Install copies a good profile to the machine-wide path, where Load
// reads it; a bad one is refused and nothing is written; Remove takes the
// file away, and the folder when it is empty, never other files.
func TestInstallAndRemoveMachineProfile(t *testing.T) {
	requireRoot(t) // the machine-wide file must be root's
	dir := t.TempDir()
	machine := filepath.Join(dir, "Onramp", "profile.json")

	bad := filepath.Join("testdata", "no-publisher.json")
	if _, err := install(bad, machine); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("bad profile: %v, want an error naming %s", err, bad)
	}
	if _, err := os.Stat(machine); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a refused profile left %s: %v", machine, err)
	}

	good := filepath.Join("testdata", "good.json")
	got, err := install(good, machine)
	if err != nil || got != machine {
		t.Fatalf("install: %q, %v", got, err)
	}
	p, err := load(machine)
	if err != nil || p == nil || p.Source != machine {
		t.Fatalf("load after install: %+v, %v", p, err)
	}
	want, _ := os.ReadFile(good)
	if b, _ := os.ReadFile(machine); string(b) != string(want) {
		t.Fatalf("installed %q, want %q", b, want)
	}
	if fi, _ := os.Stat(machine); fi.Mode().Perm() != 0o644 {
		t.Fatalf("installed with mode %v, want 0644 (every user reads it)", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(machine), ".profile-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}

	// A folder others may write: installed, judged as Load judges, and
	// taken away again.
	if err := os.Chmod(filepath.Dir(machine), 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := install(good, machine); err == nil || !strings.Contains(err.Error(), "removed again") {
		t.Fatalf("install into a folder everyone writes: %v", err)
	}
	if _, err := os.Stat(machine); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a profile the programs refuse was left: %v", err)
	}
	if err := os.Chmod(filepath.Dir(machine), 0o755); err != nil {
		t.Fatal(err)
	}

	if _, err := install(good, machine); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(machine), "logs")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := remove(machine); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(machine); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("remove left the profile: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("remove took another file of the folder: %v", err)
	}
	if err := os.Remove(other); err != nil {
		t.Fatal(err)
	}
	if err := remove(machine); err != nil {
		t.Fatalf("remove with no profile: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(machine)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("remove left the empty folder: %v", err)
	}
}
