package archive

import (
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"onramp.dev/onramp/catalog"
)

// Rules are what the target's file system can hold, beyond the
// confinement every target gets. The target is this machine, holding a
// package built for a platform: both OSes' rules apply, so a Windows
// package is judged as Windows would judge it wherever it is unpacked.
type Rules struct {
	windows  bool // reserved names, <>:"|?*, trailing dot or space, drive letters
	foldCase bool // case-insensitive by default: Windows, macOS
	unicode  bool // names must be UTF-8 (NTFS, APFS)
}

// RulesFor are the rules for a package built for p, unpacked here.
func RulesFor(p catalog.Platform) Rules {
	var r Rules
	for _, goos := range []string{runtime.GOOS, p.OS()} {
		switch goos {
		case "windows":
			r.windows, r.foldCase, r.unicode = true, true, true
		case "darwin":
			r.foldCase, r.unicode = true, true
		}
	}
	return r
}

func (r Rules) osNames() string {
	if r.windows {
		return "Windows"
	}
	return "macOS"
}

// windowsReserved are device names Windows refuses as file names, with
// any extension (NUL.txt is NUL).
var windowsReserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	"COM¹": true, "COM²": true, "COM³": true, "LPT¹": true, "LPT²": true, "LPT³": true}

// WindowsDevice says whether base (a name without its extension, in
// upper case) is a device name Windows refuses as a file name.
func WindowsDevice(base string) bool { return windowsReserved[base] }

// check says why a clean name cannot be held, or "".
func (r Rules) check(name string) string {
	if r.unicode && !utf8.ValidString(name) {
		return fmt.Sprintf("name is not UTF-8: %s file systems hold only Unicode names", r.osNames())
	}
	if !r.windows {
		return ""
	}
	for _, part := range strings.Split(name, "/") {
		for _, c := range part {
			if c < 0x20 || c == 0x7f {
				return "control character in name: Windows cannot hold it"
			}
			if strings.ContainsRune(`<>:"|?*`, c) {
				return fmt.Sprintf("character %q in name: Windows cannot hold it", c)
			}
		}
		if strings.HasSuffix(part, ".") || strings.HasSuffix(part, " ") {
			return fmt.Sprintf("%q ends with a dot or a space, which Windows drops", part)
		}
		base, _, _ := strings.Cut(part, ".")
		if windowsReserved[strings.ToUpper(strings.TrimRight(base, " "))] {
			return fmt.Sprintf("%q is a device name on Windows (reserved, with any extension)", part)
		}
	}
	return ""
}
