package installer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// A Start-menu shortcut is a Shell Link file (.lnk, the MS-SHLLINK
// format). It is written here byte by byte rather than through COM's
// IShellLink: the bytes are the same on every OS, so they are tested
// everywhere, and no COM apartment is needed in the installer. The link
// names its target by a LinkInfo with a local base path (what Windows
// resolves when the link carries no item ID list), plus a description
// and a working folder.

// shellLinkCLSID is the Shell Link class ID, as the header stores it.
var shellLinkCLSID = [16]byte{0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// Link flags (MS-SHLLINK 2.1.1) and the LinkInfo flag (2.3).
const (
	lnkHasLinkInfo      = 0x00000002
	lnkHasName          = 0x00000004
	lnkHasWorkingDir    = 0x00000010
	lnkIsUnicode        = 0x00000080
	lnkVolumeIDAndLocal = 0x00000001
	lnkHeaderSize       = 0x4C
	lnkInfoHeaderSize   = 0x24 // with the Unicode offsets
	driveFixed          = 3
	swShowNormal        = 1
	fileAttributeNormal = 0x80
	maxLinkString       = 0xFFFF // a StringData's count is 16 bits
)

// shellLink describes a shortcut.
type shellLink struct {
	Target      string // absolute, with a drive letter: C:\Apps\atlas\atlas.exe
	WorkingDir  string
	Description string
}

// errLinkTarget: a shortcut target that a local link cannot name.
var errLinkTarget = errors.New("a shortcut's target must be an absolute path on a drive (C:\\...)")

func isDrivePath(p string) bool {
	return len(p) >= 3 && p[1] == ':' && p[2] == '\\' && (p[0]|0x20) >= 'a' && (p[0]|0x20) <= 'z'
}

// ansi is s as the LinkInfo's ANSI copy holds it: Windows reads the
// Unicode copy when there is one; characters outside ASCII become '?'.
func ansi(s string) []byte {
	b := make([]byte, 0, len(s)+1)
	for _, r := range s {
		if r < 0x80 && r != 0 {
			b = append(b, byte(r))
		} else {
			b = append(b, '?')
		}
	}
	return append(b, 0)
}

func utf16z(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return append(b, 0, 0)
}

// bytes encodes the link.
func (l shellLink) bytes() ([]byte, error) {
	if !isDrivePath(l.Target) || strings.ContainsRune(l.Target, 0) {
		return nil, fmt.Errorf("shortcut to %q: %w", l.Target, errLinkTarget)
	}
	flags := uint32(lnkHasLinkInfo | lnkIsUnicode)
	var strs [][]uint16
	for _, s := range []struct {
		v    string
		flag uint32
	}{{l.Description, lnkHasName}, {l.WorkingDir, lnkHasWorkingDir}} {
		if s.v == "" {
			continue
		}
		u := utf16.Encode([]rune(s.v))
		if len(u) > maxLinkString {
			return nil, fmt.Errorf("shortcut: %q is longer than %d characters", s.v, maxLinkString)
		}
		flags |= s.flag
		strs = append(strs, u)
	}
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	// ShellLinkHeader.
	le(uint32(lnkHeaderSize))
	b.Write(shellLinkCLSID[:])
	le(flags)
	le(uint32(fileAttributeNormal))
	b.Write(make([]byte, 24)) // creation, access and write times: unknown
	le(uint32(0))             // file size: unknown
	le(int32(0))              // icon index
	le(uint32(swShowNormal))
	le(uint16(0)) // hot key
	b.Write(make([]byte, 10))
	// LinkInfo: a VolumeID (a fixed drive, no label) and the local path.
	volume := []byte{}
	volume = binary.LittleEndian.AppendUint32(volume, 0x11) // size: 16 + the empty label
	volume = binary.LittleEndian.AppendUint32(volume, driveFixed)
	volume = binary.LittleEndian.AppendUint32(volume, 0)    // serial number: any volume
	volume = binary.LittleEndian.AppendUint32(volume, 0x10) // label offset
	volume = append(volume, 0)
	base, baseW := ansi(l.Target), utf16z(l.Target)
	volOff := uint32(lnkInfoHeaderSize)
	baseOff := volOff + uint32(len(volume))
	suffixOff := baseOff + uint32(len(base))
	baseWOff := suffixOff + 1
	suffixWOff := baseWOff + uint32(len(baseW))
	size := suffixWOff + 2
	for _, v := range []uint32{size, lnkInfoHeaderSize, lnkVolumeIDAndLocal, volOff, baseOff, 0, suffixOff, baseWOff, suffixWOff} {
		le(v)
	}
	b.Write(volume)
	b.Write(base)
	b.WriteByte(0) // common path suffix: none
	b.Write(baseW)
	b.Write([]byte{0, 0})
	// StringData, in the format's order: name, then working folder.
	for _, u := range strs {
		le(uint16(len(u)))
		le(u)
	}
	le(uint32(0)) // ExtraData: the terminal block
	return b.Bytes(), nil
}

// parseShellLink reads back what bytes writes (and the same parts of
// links written by Windows): the target's local path, the description
// and the working folder.
func parseShellLink(data []byte) (shellLink, error) {
	var l shellLink
	bad := func(what string) (shellLink, error) { return shellLink{}, fmt.Errorf("shell link: %s", what) }
	if len(data) < lnkHeaderSize || binary.LittleEndian.Uint32(data) != lnkHeaderSize || !bytes.Equal(data[4:20], shellLinkCLSID[:]) {
		return bad("not a Shell Link header")
	}
	flags := binary.LittleEndian.Uint32(data[20:])
	p := lnkHeaderSize
	u16 := func() (int, bool) {
		if p+2 > len(data) {
			return 0, false
		}
		v := int(binary.LittleEndian.Uint16(data[p:]))
		p += 2
		return v, true
	}
	if flags&0x1 != 0 { // HasLinkTargetIDList: passed over
		n, ok := u16()
		if !ok || p+n > len(data) {
			return bad("item ID list past the end")
		}
		p += n
	}
	if flags&lnkHasLinkInfo != 0 {
		if p+lnkInfoHeaderSize > len(data) {
			return bad("LinkInfo past the end")
		}
		info := data[p:]
		size := int(binary.LittleEndian.Uint32(info))
		if size > len(info) || size < 0x1C {
			return bad("LinkInfo size")
		}
		info = info[:size]
		hdr := binary.LittleEndian.Uint32(info[4:])
		if binary.LittleEndian.Uint32(info[8:])&lnkVolumeIDAndLocal == 0 {
			return bad("LinkInfo without a local path")
		}
		if hdr >= lnkInfoHeaderSize {
			off := int(binary.LittleEndian.Uint32(info[28:]))
			var u []uint16
			for ; off+1 < len(info); off += 2 {
				c := binary.LittleEndian.Uint16(info[off:])
				if c == 0 {
					break
				}
				u = append(u, c)
			}
			l.Target = string(utf16.Decode(u))
		} else {
			off := int(binary.LittleEndian.Uint32(info[16:]))
			end := bytes.IndexByte(info[min(off, len(info)):], 0)
			if end < 0 {
				return bad("local path not ended")
			}
			l.Target = string(info[off : off+end])
		}
		p += size
	}
	str := func() (string, error) {
		n, ok := u16()
		if !ok {
			return "", errors.New("shell link: string past the end")
		}
		if flags&lnkIsUnicode == 0 {
			if p+n > len(data) {
				return "", errors.New("shell link: string past the end")
			}
			s := string(data[p : p+n])
			p += n
			return s, nil
		}
		if p+2*n > len(data) {
			return "", errors.New("shell link: string past the end")
		}
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(data[p+2*i:])
		}
		p += 2 * n
		return string(utf16.Decode(u)), nil
	}
	for _, f := range []struct {
		flag uint32
		dst  *string
	}{{lnkHasName, &l.Description}, {0x8, nil}, {lnkHasWorkingDir, &l.WorkingDir}} {
		if flags&f.flag == 0 {
			continue
		}
		s, err := str()
		if err != nil {
			return shellLink{}, err
		}
		if f.dst != nil {
			*f.dst = s
		}
	}
	return l, nil
}
