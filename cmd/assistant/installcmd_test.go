package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The demo's whole single-seat path, as a user would type it.
func TestInstallLifecycle(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	cfg := filepath.Join(home, ".config")
	run := func(args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		t.Setenv("XDG_CONFIG_HOME", cfg)
		code := run(t.Context(), args, strings.NewReader(""), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	target := filepath.Join(home, "apps", "atlas")
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--demo", "install", "--product", "atlas@2.9.1", "--target", target}, 0, "Installed atlas 2.9.1"},
		{[]string{"--demo", "install", "--product", "atlas", "--target", target, "--plan"}, 0, "replaces version 2.9.1"},
		{[]string{"--demo", "install", "--product", "atlas", "--target", target}, 0, "Installed atlas 2.10.0"},
		{[]string{"verify", "--product", "atlas"}, 0, "all 28 files"},
	}
	for _, s := range steps {
		r := run(s.args...)
		if r.code != s.code || !strings.Contains(r.stdout, s.want) {
			t.Fatalf("%v: exit %d\n%s\n%s", s.args, r.code, r.stdout, r.stderr)
		}
	}
	launcher := filepath.Join(target, "bin", "atlas")
	if runtime.GOOS != "windows" {
		out, err := exec.Command(launcher).Output()
		if err != nil || !strings.Contains(string(out), "Atlas CAD 2.10.0") {
			t.Fatalf("the installed program: %q %v", out, err)
		}
	}
	os.Remove(filepath.Join(target, "LICENSE.txt"))
	if r := run("verify", "--product", "atlas"); r.code != exitIntegrity || !strings.Contains(r.stdout, "missing: LICENSE.txt") {
		t.Fatalf("verify after damage: %d %s", r.code, r.stdout)
	}
	if r := run("repair", "--product", "atlas"); r.code != 0 {
		t.Fatalf("repair: %d %s", r.code, r.stderr)
	}
	if r := run("rollback", "--product", "atlas", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"2.9.1"`) {
		t.Fatalf("rollback: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run("uninstall", "--product", "atlas"); r.code != 0 {
		t.Fatalf("uninstall: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(launcher); err == nil {
		t.Error("files left after uninstall")
	}
	if r := run("verify", "--product", "atlas"); r.code != exitFailed || !strings.Contains(r.stderr, "not installed") {
		t.Errorf("verify after uninstall: %d %s", r.code, r.stderr)
	}
}

func TestInstallHostilePackage(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("../../evil.txt")
	w.Write([]byte("x"))
	zw.Close()
	dir := t.TempDir()
	pkg := filepath.Join(dir, "evil-1.0.zip")
	os.WriteFile(pkg, buf.Bytes(), 0o644)
	sum := sha256.Sum256(buf.Bytes())
	target := filepath.Join(dir, "target", "evil")
	r := runCLI(t, "", "install", "--package", pkg, "--sha256", hex.EncodeToString(sum[:]), "--target", target)
	if r.code != exitIntegrity || !strings.Contains(r.stderr, "leaves the target") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "evil.txt")); err == nil {
		t.Fatal("zip-slip wrote outside the target")
	}
	r = runCLI(t, "", "install", "--package", pkg, "--sha256", strings.Repeat("0", 64), "--target", target)
	if r.code != exitIntegrity || !strings.Contains(r.stderr, "checksum") {
		t.Fatalf("wrong hash: exit %d: %s", r.code, r.stderr)
	}
}
