package cli

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/native"
)

// The demo's whole single-seat path, as a user would type it.
func TestInstallLifecycle(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	cfg := filepath.Join(home, ".config")
	t.Setenv(installer.MachineStateEnv, filepath.Join(home, "machine"))
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
		t.Errorf("verify after uninstall: %d %s %s", r.code, r.stdout, r.stderr)
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
	r := runCLI(t, "", "install", "--package", pkg, "--product", "evil@1.0", "--sha256", hex.EncodeToString(sum[:]), "--target", target)
	if r.code != exitIntegrity || !strings.Contains(r.stderr, "leaves the target") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "evil.txt")); err == nil {
		t.Fatal("zip-slip wrote outside the target")
	}
	r = runCLI(t, "", "install", "--package", pkg, "--product", "evil@1.0", "--sha256", strings.Repeat("0", 64), "--target", target)
	if r.code != exitIntegrity || !strings.Contains(r.stderr, "checksum") {
		t.Fatalf("wrong hash: exit %d: %s", r.code, r.stderr)
	}
}

// runWithState runs the CLI with one configuration folder (so one set of
// receipts) across calls, in the folder dir.
func runWithState(t *testing.T, cfg, dir string, args ...string) result {
	t.Helper()
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv(installer.MachineStateEnv, filepath.Join(cfg, "machine"))
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// testPackage writes a zip named like a package file into dir.
func testPackage(t *testing.T, dir, name string, files map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, body := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return p, hex.EncodeToString(sum[:])
}

// A folder with someone's files is refused unless the flag says so; with
// it, install, repair and uninstall leave them and list them.
func TestInstallNonEmptyTarget(t *testing.T) {
	cfg, dir := t.TempDir(), t.TempDir()
	pkg, sum := testPackage(t, dir, "notes-1.0.zip", map[string]string{"bin/notes": "v1", "README": "r"})
	target := filepath.Join(dir, "Documents")
	os.MkdirAll(target, 0o755)
	os.WriteFile(filepath.Join(target, "letter.txt"), []byte("dear"), 0o644)
	steps := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"plan", []string{"install", "--package", pkg, "--product", "notes@1.0", "--sha256", sum, "--target", target, "--plan"}, exitFailed, "--allow-nonempty-target"},
		{"refused", []string{"install", "--package", pkg, "--product", "notes@1.0", "--sha256", sum, "--target", target}, exitFailed, "--allow-nonempty-target"},
		{"allowed", []string{"install", "--package", pkg, "--product", "notes@1.0", "--sha256", sum, "--target", target, "--allow-nonempty-target"}, exitOK, "Left in place (not installed by Onramp): letter.txt"},
		{"repair", []string{"repair", "--product", "notes"}, exitOK, "Left in place (not installed by Onramp): letter.txt"},
		{"uninstall", []string{"uninstall", "--product", "notes"}, exitOK, "Left in place (not installed by Onramp): letter.txt"},
	}
	for _, s := range steps {
		r := runWithState(t, cfg, dir, s.args...)
		if r.code != s.code || !strings.Contains(r.stdout+r.stderr, s.out) {
			t.Fatalf("%s: exit %d\n%s\n%s", s.name, r.code, r.stdout, r.stderr)
		}
		if b, err := os.ReadFile(filepath.Join(target, "letter.txt")); err != nil || string(b) != "dear" {
			t.Fatalf("%s: the user's letter: %q %v", s.name, b, err)
		}
	}
}

// install --package with a relative path: repair works from another folder.
func TestInstallRelativePackage(t *testing.T) {
	cfg, dir, elsewhere := t.TempDir(), t.TempDir(), t.TempDir()
	_, sum := testPackage(t, dir, "notes-1.0.zip", map[string]string{"bin/notes": "v1"})
	target := filepath.Join(dir, "apps", "notes")
	if r := runWithState(t, cfg, dir, "install", "--package", "notes-1.0.zip", "--product", "notes@1.0", "--sha256", sum, "--target", target); r.code != exitOK {
		t.Fatalf("install: %d %s", r.code, r.stderr)
	}
	os.Remove(filepath.Join(target, "bin", "notes"))
	if r := runWithState(t, cfg, elsewhere, "repair", "--product", "notes"); r.code != exitOK {
		t.Fatalf("repair from another folder: %d %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(target, "bin", "notes")); err != nil || string(b) != "v1" {
		t.Errorf("after repair: %q %v", b, err)
	}
}

// A machine-wide install is installed for every user of the machine.
func TestInstallMachineWide(t *testing.T) {
	dir := t.TempDir()
	machine := filepath.Join(dir, "machine-state")
	pkg, sum := testPackage(t, dir, "notes-1.0.zip", map[string]string{"bin/notes": "v1"})
	target := filepath.Join(dir, "opt", "notes")
	for _, s := range []struct {
		user string
		args []string
		out  string
	}{
		{"admin", []string{"install", "--package", pkg, "--product", "notes@1.0", "--sha256", sum, "--target", target, "--scope", "machine"}, "Installed notes"},
		{"ann", []string{"verify", "--product", "notes"}, "all 1 files"},
		{"bob", []string{"uninstall", "--product", "notes"}, "Uninstalled notes"},
	} {
		r := runMachine(t, filepath.Join(dir, s.user), machine, s.args...)
		if r.code != exitOK || !strings.Contains(r.stdout, s.out) {
			t.Fatalf("%s %v: %d %s %s", s.user, s.args, r.code, r.stdout, r.stderr)
		}
	}
}

// runMachine runs the CLI as a user (cfg) on a machine whose machine-wide
// state is machine.
func runMachine(t *testing.T, cfg, machine string, args ...string) result {
	t.Helper()
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv(installer.MachineStateEnv, machine)
	var out, errb bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// install --package takes the product and version from the catalog entry
// with the file's hash, never from the file's name (a name such as
// quill-3.0.2-linux-amd64.tar.gz once gave version "3.0.2-linux-amd64").
func TestInstallPackageNamesFromCatalog(t *testing.T) {
	dir := t.TempDir()
	plat := catalog.CurrentPlatform()
	name := "quill-3.0.2-" + strings.ReplaceAll(string(plat), "/", "-") + ".zip"
	if plat.OS() == "linux" {
		name = strings.TrimSuffix(name, ".zip") + ".tar.gz"
	}
	b, ok := assets.DemoPackage(name)
	if !ok {
		t.Fatalf("no demo package %s", name)
	}
	pkg := writeFile(t, dir, name, b)
	sum := sha256.Sum256(b)
	notes, notesSum := testPackage(t, dir, "notes-1.0.zip", map[string]string{"bin/notes": "v1"})
	tests := []struct {
		name    string
		args    []string
		code    int
		version string // the receipt's, when installed
	}{
		{"by-hash-from-catalog", []string{"--demo", "install", "--package", pkg, "--sha256", hex.EncodeToString(sum[:])}, exitOK, "3.0.2"},
		{"hash-not-in-catalog", []string{"--demo", "install", "--package", notes, "--sha256", notesSum}, exitUsage, ""},
		{"no-catalog-no-product", []string{"install", "--package", notes, "--sha256", notesSum}, exitUsage, ""},
		{"product-given", []string{"install", "--package", notes, "--sha256", notesSum, "--product", "notes@1.0"}, exitOK, "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := t.TempDir()
			args := append(tt.args, "--target", filepath.Join(cfg, "apps", "x"), "--json")
			r := runWithState(t, cfg, dir, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.version == "" {
				return
			}
			var res struct{ Product, Version string }
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil || res.Version != tt.version {
				t.Fatalf("installed %+v (%v), want version %s", res, err, tt.version)
			}
		})
	}
}

// A native installer's exit codes reach the CLI's: a cancelled MSI (1602)
// is an interrupt, a failed one (1603 and others) a failure naming its log.
func TestNativeInstallExitCodes(t *testing.T) {
	for _, tt := range []struct {
		name string
		code int
		want int
	}{
		{"cancelled-1602", 1602, exitInterrupted},
		{"failed-1603", 1603, exitFailed},
		{"policy-1625", 1625, exitFailed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := fmt.Errorf("install atlas 1.0.0: %w", &native.Error{Format: catalog.FormatMSI, Code: tt.code, Log: `C:\logs\atlas.log`})
			if got := exitCode(err); got != tt.want {
				t.Errorf("exit %d, want %d (%v)", got, tt.want, err)
			}
		})
	}
	if got := exitCode(fmt.Errorf("verify atlas: %w", &installer.NativeInstallError{Product: "atlas", Format: catalog.FormatMSI})); got != exitFailed {
		t.Errorf("verify of a native install: exit %d, want %d", got, exitFailed)
	}
}

// --zip-codepage names the code page of zip names written without the
// UTF-8 flag: a Shift-JIS name is refused as CP437 (its byte 0x5C would
// split it), read whole with the code page named, and repair reads it
// alike; an unknown code page is a usage error.
func TestInstallZipCodePage(t *testing.T) {
	cfg, dir := t.TempDir(), t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "\x95\x5c\x8e\xa6.txt", NonUTF8: true}) // 表示.txt
	w.Write([]byte("hyouji"))
	zw.Close()
	pkg := filepath.Join(dir, "notes-1.0.zip")
	os.WriteFile(pkg, buf.Bytes(), 0o644)
	s := sha256.Sum256(buf.Bytes())
	sum := hex.EncodeToString(s[:])
	target := filepath.Join(dir, "notes")
	install := []string{"install", "--package", pkg, "--product", "notes@1.0", "--sha256", sum, "--target", target}
	if r := runWithState(t, cfg, dir, append(install, "--zip-codepage", "klingon")...); r.code != exitUsage || !strings.Contains(r.stderr, "klingon") {
		t.Fatalf("unknown code page: exit %d %s", r.code, r.stderr)
	}
	if r := runWithState(t, cfg, dir, install...); r.code == exitOK || !strings.Contains(r.stderr, "--zip-codepage") {
		t.Fatalf("as CP437: exit %d %s", r.code, r.stderr)
	}
	if r := runWithState(t, cfg, dir, append(install, "--zip-codepage", "Shift_JIS")...); r.code != exitOK {
		t.Fatalf("as Shift_JIS: exit %d %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(target, "表示.txt")); err != nil || string(b) != "hyouji" {
		t.Fatalf("表示.txt: %q %v", b, err)
	}
	os.Remove(filepath.Join(target, "表示.txt"))
	if r := runWithState(t, cfg, dir, "repair", "--product", "notes"); r.code != exitOK {
		t.Fatalf("repair: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(target, "表示.txt")); err != nil {
		t.Fatalf("after repair: %v", err)
	}
}

// repair with no copy of the package left: it says how to get one, and
// with a catalog source (here the demo) downloads it again.
func TestRepairDownloadsAgain(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv(installer.MachineStateEnv, filepath.Join(home, "machine"))
	run := func(args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	target := filepath.Join(home, "apps", "atlas")
	if r := run("--demo", "install", "--product", "atlas", "--target", target); r.code != 0 {
		t.Fatalf("install: %d %s", r.code, r.stderr)
	}
	if err := os.RemoveAll(filepath.Join(home, ".cache", "Onramp", "packages")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(target, "LICENSE.txt"))
	if r := run("repair", "--product", "atlas"); r.code == 0 || !strings.Contains(r.stderr, "--catalog") {
		t.Fatalf("repair with no copy and no source: %d %s", r.code, r.stderr)
	}
	if r := run("--demo", "repair", "--product", "atlas"); r.code != 0 || !strings.Contains(r.stdout, "Repaired atlas") {
		t.Fatalf("repair with the demo's catalog: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run("verify", "--product", "atlas"); r.code != 0 {
		t.Fatalf("verify after repair: %d %s", r.code, r.stdout)
	}
}
