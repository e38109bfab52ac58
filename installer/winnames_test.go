package installer

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"onramp.dev/onramp/catalog"
)

// Names Windows cannot hold, and names that differ only by case on a
// case-insensitive target, are refused before anything is written: a
// refusal leaves nothing to clean up, a half-written tree would.
func TestNamesTheTargetCannotHold(t *testing.T) {
	tests := []struct {
		name     string
		platform catalog.Platform
		files    []file
		want     string
	}{
		{"con", catalog.WindowsAMD64, []file{{name: "CON", body: "x"}}, "device name"},
		{"nul-txt", catalog.WindowsAMD64, []file{{name: "NUL.txt", body: "x"}}, "device name"},
		{"nul-space-txt", catalog.WindowsAMD64, []file{{name: "nul .txt", body: "x"}}, "device name"},
		{"aux-in-folder", catalog.WindowsAMD64, []file{{name: "docs/aux.tar.gz", body: "x"}}, "device name"},
		{"com1", catalog.WindowsAMD64, []file{{name: "com1.log", body: "x"}}, "device name"},
		{"lpt9-folder", catalog.WindowsAMD64, []file{{name: "LPT9/x", body: "x"}}, "device name"},
		{"prn", catalog.WindowsAMD64, []file{{name: "prn", body: "x"}}, "device name"},
		{"colon", catalog.WindowsAMD64, []file{{name: "a:b", body: "x"}}, "drive letter"},
		{"drive-letter", catalog.WindowsAMD64, []file{{name: `C:\Windows\evil.dll`, body: "x"}}, "drive letter"},
		{"colon-inside", catalog.WindowsAMD64, []file{{name: "notes:stream", body: "x"}}, "character ':'"},
		{"trailing-dot", catalog.WindowsAMD64, []file{{name: "file.", body: "x"}}, "ends with a dot or a space"},
		{"trailing-space", catalog.WindowsAMD64, []file{{name: "dir /x", body: "x"}}, "ends with a dot or a space"},
		{"less", catalog.WindowsAMD64, []file{{name: "a<b", body: "x"}}, "character '<'"},
		{"greater", catalog.WindowsAMD64, []file{{name: "a>b", body: "x"}}, "character '>'"},
		{"quote", catalog.WindowsAMD64, []file{{name: `a"b`, body: "x"}}, "character '\"'"},
		{"pipe", catalog.WindowsAMD64, []file{{name: "a|b", body: "x"}}, "character '|'"},
		{"question", catalog.WindowsAMD64, []file{{name: "a?b", body: "x"}}, "character '?'"},
		{"star", catalog.WindowsAMD64, []file{{name: "a*b", body: "x"}}, "character '*'"},
		{"control", catalog.WindowsAMD64, []file{{name: "a\x01b", body: "x"}}, "control character"},
		{"case-windows", catalog.WindowsAMD64, []file{{name: "README", body: "1"}, {name: "readme", body: "2"}}, "differ only by case"},
		{"case-macos", catalog.DarwinARM64, []file{{name: "README", body: "1"}, {name: "readme", body: "2"}}, "differ only by case"},
		{"case-folder", catalog.DarwinARM64, []file{{name: "Docs/a", body: "1"}, {name: "docs/b", body: "2"}}, "differ only by case"},
		{"case-file-and-folder", catalog.WindowsAMD64, []file{{name: "Lib", body: "1"}, {name: "lib/x", body: "2"}}, "differ only by case"},
		// APFS takes "é" and "e" + U+0301 for one name.
		{"normalisation-macos", catalog.DarwinARM64, []file{{name: "caf\u00e9.txt", body: "1"}, {name: "cafe\u0301.txt", body: "2"}}, "differ only by case"},
		// A link found by the file system under another spelling: d/l is
		// d/L, which leads up, so x leads out of the target.
		{"link-by-case-macos", catalog.DarwinARM64, []file{{name: "d/L", link: ".."}, {name: "x", link: "d/l/.."}}, "points outside the target"},
		{"link-by-case-windows", catalog.WindowsAMD64, []file{{name: "d/L", link: ".."}, {name: "x", link: "d/l/.."}}, "points outside the target"},
		{"link-by-normalisation-macos", catalog.DarwinARM64, []file{{name: "d/\u00e9", link: ".."}, {name: "\u00e9", link: "d/e\u0301/.."}, {name: "e\u0301/evil", body: "x"}}, "points outside the target"},
		{"through-link-by-case-macos", catalog.DarwinARM64, []file{{name: "Lnk", link: "sub"}, {name: "sub/", dir: true}, {name: "lnk/evil", body: "x"}}, "differ only by case"},
	}
	for _, tt := range tests {
		for _, format := range []catalog.Format{catalog.FormatZip, catalog.FormatTarGz} {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				build := buildZip
				if format == catalog.FormatTarGz {
					build = buildTarGz
				}
				pkg := writePackage(t, build(t, tt.files), format, "1.0.0")
				pkg.Platform = tt.platform
				assertRefused(t, pkg, tt.want)
			})
		}
	}
	t.Run("not-utf8-for-windows", func(t *testing.T) {
		pkg := writePackage(t, rawTarGz(t, []file{{name: "caf\xe9.txt", body: "x"}}), catalog.FormatTarGz, "1.0.0")
		pkg.Platform = catalog.WindowsAMD64
		assertRefused(t, pkg, "not UTF-8")
	})
}

// The same names are fine for Linux, which holds them: "a:b" is no drive
// letter there.
func TestLinuxHoldsThoseNames(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux rules only where Linux is the target")
	}
	files := []file{{name: "a:b", body: "x"}, {name: "NUL.txt", body: "x"}, {name: "file.", body: "x"}, {name: "README", body: "1"}, {name: "readme", body: "2"}, {name: "C:/x", body: "3"}}
	for _, format := range []catalog.Format{catalog.FormatZip, catalog.FormatTarGz} {
		build := buildZip
		if format == catalog.FormatTarGz {
			build = buildTarGz
		}
		pkg := writePackage(t, build(t, files), format, "1.0.0")
		pkg.Platform = catalog.Platform("linux/amd64")
		rec, err := newInstaller(t).Install(context.Background(), pkg, filepath.Join(t.TempDir(), "atlas"))
		if err != nil || rec.FileCount != len(files) {
			t.Errorf("%s: %v", format, err)
		}
	}
}
