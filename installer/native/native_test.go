package native

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
)

// Uninstall names the product by its code on msiexec's command line: only
// a braced GUID gets there.
func TestMSIUninstall(t *testing.T) {
	c := msiUninstallCommand("{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B}", `C:\logs\u.log`)
	if got := strings.Join(c.Args, " "); c.Path != "msiexec.exe" || got != `/x {6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B} /qn /norestart /l*v C:\logs\u.log` {
		t.Errorf("uninstall: %s %s", c.Path, got)
	}
	for _, tt := range []struct{ name, code string }{
		{"empty", ""},
		{"no-braces", "6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B"},
		{"a-switch", "/qb"},
		{"guid-and-more", "{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B} REBOOT=Force"},
		{"a-path", `C:\pkgs\atlas.msi`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Uninstall(context.Background(), tt.code, t.TempDir()); !errors.Is(err, ErrBadProductCode) {
				t.Errorf("Uninstall(%q): %v, want ErrBadProductCode", tt.code, err)
			}
		})
	}
	if _, err := Uninstall(context.Background(), "{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B}", t.TempDir()); runtime.GOOS != "windows" && !errors.Is(err, ErrWrongOS) {
		t.Errorf("an msi uninstall on %s: %v, want ErrWrongOS", runtime.GOOS, err)
	}
}

func TestNativeCommandsAndExitCodes(t *testing.T) {
	c := msiCommand(`C:\pkgs\atlas.msi`, `C:\logs\atlas.log`, []string{"/qn", "ALLUSERS=1"})
	if got := strings.Join(c.Args, " "); c.Path != "msiexec.exe" || got != `/i C:\pkgs\atlas.msi /qn /norestart /l*v C:\logs\atlas.log ALLUSERS=1` {
		t.Errorf("msi: %s %s", c.Path, got)
	}
	c = pkgCommand("/tmp/a.pkg", false, nil)
	if strings.Join(c.Args, " ") != "-pkg /tmp/a.pkg -target /" {
		t.Errorf("pkg: %v", c.Args)
	}
	cmds := dmgCommands("/tmp/a.dmg", "/tmp/mnt", "Atlas.app", "/Applications")
	if len(cmds) != 3 || !strings.Contains(strings.Join(cmds[0].Args, " "), "-nobrowse") || cmds[1].Args[1] != "/Applications/Atlas.app" {
		t.Errorf("dmg: %+v", cmds)
	}
	tests := []struct {
		format catalog.Format
		code   int
		recipe catalog.Recipe
		reboot bool
		err    string
	}{
		{catalog.FormatMSI, 0, catalog.Recipe{}, false, ""},
		{catalog.FormatMSI, 3010, catalog.Recipe{}, true, ""},
		{catalog.FormatMSI, 1641, catalog.Recipe{}, true, ""},
		{catalog.FormatMSI, 1618, catalog.Recipe{}, false, "another installation is already in progress"},
		{catalog.FormatMSI, 1603, catalog.Recipe{}, false, "fatal error"},
		{catalog.FormatPKG, 1, catalog.Recipe{}, false, "exit code 1"},
		{catalog.FormatMSI, 3010, catalog.Recipe{SuccessCodes: []int{0, 3010}}, true, ""},
		{catalog.FormatPKG, 42, catalog.Recipe{SuccessCodes: []int{0, 42}}, false, ""},
		{catalog.FormatPKG, 7, catalog.Recipe{RebootCodes: []int{7}}, true, ""},
	}
	for _, tt := range tests {
		r, err := MapExitCode(tt.format, tt.code, tt.recipe)
		if tt.err == "" && (err != nil || r.RebootNeeded != tt.reboot) && !(tt.code == 3010 && len(tt.recipe.SuccessCodes) > 0) {
			t.Errorf("%s %d: %+v %v", tt.format, tt.code, r, err)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s %d: %v, want %q", tt.format, tt.code, err, tt.err)
		}
	}
}
