package installer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// The shortcut's bytes follow MS-SHLLINK: the header's size, class ID and
// flags, a LinkInfo naming the local path (ANSI and Unicode), then the
// description and working folder, and they parse back.
func TestShellLinkBytes(t *testing.T) {
	l := shellLink{Target: `C:\Program Files\Atlas Studio\bin\atlas.exe`, WorkingDir: `C:\Program Files\Atlas Studio\bin`, Description: "Atlas Studio"}
	b, err := l.bytes()
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(b) != 0x4C || !bytes.Equal(b[4:20], []byte{1, 0x14, 2, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}) {
		t.Fatalf("header: % x", b[:20])
	}
	if flags := binary.LittleEndian.Uint32(b[20:]); flags != lnkHasLinkInfo|lnkHasName|lnkHasWorkingDir|lnkIsUnicode {
		t.Errorf("link flags %#x", flags)
	}
	if show := binary.LittleEndian.Uint32(b[60:]); show != 1 {
		t.Errorf("show command %d, want SW_SHOWNORMAL", show)
	}
	info := b[0x4C:]
	size := binary.LittleEndian.Uint32(info)
	if hdr := binary.LittleEndian.Uint32(info[4:]); hdr != 0x24 {
		t.Errorf("LinkInfo header size %#x", hdr)
	}
	ansiOff := binary.LittleEndian.Uint32(info[16:])
	if got := string(info[ansiOff : int(ansiOff)+len(l.Target)]); got != l.Target || info[int(ansiOff)+len(l.Target)] != 0 {
		t.Errorf("ANSI local path %q", got)
	}
	// The string data, then the terminal block, end the file.
	rest := b[0x4C+size:]
	if n := binary.LittleEndian.Uint16(rest); int(n) != len(l.Description) {
		t.Errorf("the name's count %d", n)
	}
	if !bytes.Equal(b[len(b)-4:], []byte{0, 0, 0, 0}) {
		t.Error("no terminal block")
	}
	got, err := parseShellLink(b)
	if err != nil || got != l {
		t.Errorf("parsed back %+v %v, want %+v", got, err, l)
	}

	// Names outside ASCII: the Unicode copy is exact, the ANSI one
	// approximate.
	l = shellLink{Target: `D:\Outils\Éditeur 地図\carte.exe`, Description: "Éditeur 地図"}
	if b, err = l.bytes(); err != nil {
		t.Fatal(err)
	}
	if got, err := parseShellLink(b); err != nil || got != l {
		t.Errorf("parsed back %+v %v, want %+v", got, err, l)
	}
	// Only a drive path can be named by a local link.
	for _, bad := range []string{`\\server\share\a.exe`, `relative\a.exe`, "/usr/bin/a", "C:\\a\x00.exe"} {
		if _, err := (shellLink{Target: bad}).bytes(); !errors.Is(err, errLinkTarget) {
			t.Errorf("%q: %v, want errLinkTarget", bad, err)
		}
	}
	// A truncated link is refused, not read past its end.
	b, _ = shellLink{Target: `C:\a.exe`, Description: "a"}.bytes()
	for n := range len(b) - 4 {
		if _, err := parseShellLink(b[:n]); err == nil && n < 0x4C {
			t.Errorf("%d bytes parsed", n)
		}
	}
}
