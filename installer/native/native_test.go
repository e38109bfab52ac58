package installer

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// Uninstall names the product by its code on msiexec's command line: only
// a braced GUID gets there.
func TestMSIUninstall(t *testing.T) {
	c := msiUninstallCommand("{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B}", `C:\logs\u.log`)
	if got := strings.Join(c.Args, " "); c.Path != "msiexec.exe" || got != `/x {6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B} /qn /norestart /l*v C:\logs\u.log` {
		t.Errorf("uninstall: %s %s", c.Path, got)
	}
	in := newInstaller(t)
	for _, tt := range []struct{ name, code string }{
		{"empty", ""},
		{"no-braces", "6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B"},
		{"a-switch", "/qb"},
		{"guid-and-more", "{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B} REBOOT=Force"},
		{"a-path", `C:\pkgs\atlas.msi`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := in.UninstallNative(context.Background(), tt.code, t.TempDir()); !errors.Is(err, ErrBadProductCode) {
				t.Errorf("UninstallNative(%q): %v, want ErrBadProductCode", tt.code, err)
			}
		})
	}
	if _, err := in.UninstallNative(context.Background(), "{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B}", t.TempDir()); runtime.GOOS != "windows" && !errors.Is(err, ErrWrongOS) {
		t.Errorf("an msi uninstall on %s: %v, want ErrWrongOS", runtime.GOOS, err)
	}
}
