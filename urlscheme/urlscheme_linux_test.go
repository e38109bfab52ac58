package urlscheme

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needXdgMime fails loudly in CI when xdg-utils is missing (.ci/deps
// installs it), and skips elsewhere.
func needXdgMime(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("xdg-mime"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xdg-mime is missing (Debian package xdg-utils): .ci/deps installs it")
		}
		t.Skip("xdg-mime is missing (Debian package xdg-utils)")
	}
}

// Register writes the .desktop file under XDG_DATA_HOME and makes it the
// user's default for onramp:// links, as xdg-mime itself then answers.
func TestRegisterLinux(t *testing.T) {
	needXdgMime(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_CURRENT_DESKTOP", "")
	program := filepath.Join(home, "opt dir", "Onramp")
	r, err := Register(context.Background(), program)
	if err != nil {
		t.Fatal(err)
	}
	desktop := filepath.Join(home, "data", "applications", DesktopFile)
	if len(r.Wrote) != 1 || r.Wrote[0] != desktop {
		t.Fatalf("wrote %v, want %s", r.Wrote, desktop)
	}
	data, err := os.ReadFile(desktop)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Exec=\"" + program + "\" %u\n", "MimeType=x-scheme-handler/onramp;\n", "Type=Application\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", DesktopFile, want, data)
		}
	}
	out, err := exec.Command("xdg-mime", "query", "default", "x-scheme-handler/onramp").Output()
	if err != nil || strings.TrimSpace(string(out)) != DesktopFile {
		t.Fatalf("xdg-mime query default x-scheme-handler/onramp: %q, %v", out, err)
	}
	if v, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command(v, desktop).CombinedOutput(); err != nil {
			t.Errorf("desktop-file-validate: %v\n%s", err, out)
		}
	}
	if _, err := Register(context.Background(), "Onramp"); err == nil {
		t.Error("a relative program path was accepted")
	}
}

func TestDesktopQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/Onramp":      "/usr/bin/Onramp",
		"/opt/my apps/Onramp":  `"/opt/my apps/Onramp"`,
		`/opt/a"b$c/Onramp`:    `"/opt/a\\"b\\$c/Onramp"`,
		"/opt/back\\slash/O p": `"/opt/back\\\\slash/O p"`,
		// A % starts a field code (%u, %f) in an Exec line: written %%.
		"/opt/100%/Onramp":    "/opt/100%%/Onramp",
		"/opt/50% off/Onramp": `"/opt/50%% off/Onramp"`,
	} {
		if got := desktopQuote(in); got != want {
			t.Errorf("desktopQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
