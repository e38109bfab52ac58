package urlscheme

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"onramp.dev/onramp/internal/atomicfile"
)

// DesktopFile is the name of the .desktop file that declares the handler.
const DesktopFile = "onramp.desktop"

// Register makes program (the window's executable, an absolute path) the
// user's handler of onramp:// links: a .desktop file in
// $XDG_DATA_HOME/applications (default ~/.local/share/applications), then
// `xdg-mime default onramp.desktop x-scheme-handler/onramp`.
func Register(ctx context.Context, program string) (*Registration, error) {
	if !filepath.IsAbs(program) {
		return nil, fmt.Errorf("register %s://: the program %q is not an absolute path", Scheme, program)
	}
	dir, err := applicationsDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("register %s://: %w", Scheme, err)
	}
	path := filepath.Join(dir, DesktopFile)
	if err := atomicfile.WriteFile(path, []byte(desktopEntry(program)), 0o644); err != nil {
		return nil, fmt.Errorf("register %s://: %w", Scheme, err)
	}
	r := &Registration{Program: program, Wrote: []string{path}}
	out, err := exec.CommandContext(ctx, "xdg-mime", "default", DesktopFile, "x-scheme-handler/"+Scheme).CombinedOutput()
	if err != nil {
		return r, fmt.Errorf("register %s://: xdg-mime (Debian package xdg-utils): %w: %s", Scheme, err, strings.TrimSpace(string(out)))
	}
	// Desktops read the MIME cache; refreshing it is a courtesy where the
	// tool is installed.
	if _, err := exec.LookPath("update-desktop-database"); err == nil {
		exec.CommandContext(ctx, "update-desktop-database", dir).Run()
	}
	return r, nil
}

func applicationsDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "applications"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("register %s://: %w", Scheme, err)
	}
	return filepath.Join(home, ".local", "share", "applications"), nil
}

// desktopEntry is the .desktop file: the window, started with the link
// (%u), handling the onramp scheme.
func desktopEntry(program string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Onramp\n" +
		"Comment=Sign in, check, download and install your software\n" +
		"Exec=" + desktopQuote(program) + " %u\n" +
		"Icon=onramp\n" +
		"Terminal=false\n" +
		"Categories=Utility;\n" +
		"MimeType=x-scheme-handler/" + Scheme + ";\n"
}

// desktopQuote quotes an Exec argument as the Desktop Entry
// Specification says: in double quotes, with ", `, $ and \ escaped; and
// % doubled everywhere, since a lone % starts a field code (%u, %f).
func desktopQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", `$`, `\\$`)
	return `"` + r.Replace(s) + `"`
}
