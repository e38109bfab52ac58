package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// cp437 is the upper half (0x80-0xFF) of code page 437, the encoding of a
// zip entry's name when its UTF-8 flag is off (APPNOTE 4.4.4, appendix D).
const cp437 = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0"

var cp437Runes = []rune(cp437)

// zipFlagUTF8 is the general purpose flag bit 11: the name is UTF-8.
const zipFlagUTF8 = 0x800

// zipUnicodePath is the tag of Info-ZIP's Unicode Path extra field: the
// name in UTF-8, beside a legacy one, with the CRC-32 of that legacy name
// so that a tool which renamed the entry without updating the field is
// caught.
const zipUnicodePath = 0x7075

// zipNames decodes zip entries' names. The rule, as unzip, bsdtar and
// 7-Zip read names:
//   - the UTF-8 flag set: UTF-8;
//   - else an Info-ZIP Unicode Path field whose CRC matches the name: its
//     UTF-8 name;
//   - else a code page named by the user (the installer's ZipCodePage);
//   - else UTF-8 when the bytes are valid UTF-8 (Debian's zip and macOS's
//     Archive Utility write UTF-8 without the flag), CP437 otherwise (the
//     format's own legacy encoding, as Windows and DOS tools wrote it).
//
// A name decoded from a legacy code page must not gain separators: a
// backslash it holds may be the second byte of a double-byte character
// (Shift-JIS) read in the wrong code page, so it is refused, naming the
// entry, rather than split into folders.
type zipNames struct {
	codePage encoding.Encoding // nil: the rule above
	cpName   string
}

// newZipNames reads a code page's name ("" for the default rule).
func newZipNames(name string) (zipNames, error) {
	if name == "" {
		return zipNames{}, nil
	}
	enc, err := codePage(name)
	if err != nil {
		return zipNames{}, err
	}
	return zipNames{codePage: enc, cpName: name}, nil
}

// ErrUnknownCodePage is returned for a code page name Onramp does not know.
var ErrUnknownCodePage = errors.New("unknown code page")

// codePage finds an encoding by its IANA name or alias (Shift_JIS, IBM437,
// windows-1252, ISO-8859-1, cp437...) or its WHATWG label (sjis, gbk,
// big5, euc-kr...).
func codePage(name string) (encoding.Encoding, error) {
	if enc, err := ianaindex.IANA.Encoding(name); err == nil && enc != nil {
		return enc, nil
	}
	if enc, err := htmlindex.Get(name); err == nil && enc != nil {
		return enc, nil
	}
	return nil, fmt.Errorf("zip code page %q: %w (use an IANA name such as Shift_JIS, IBM437, windows-1252 or GBK)", name, ErrUnknownCodePage)
}

// CheckZipCodePage says whether name is a code page Onramp can read zip
// names in ("" is the default rule).
func CheckZipCodePage(name string) error {
	_, err := newZipNames(name)
	return err
}

// name decodes an entry's name, or says why it cannot be used.
func (z zipNames) name(raw string, flags uint16, extra []byte) (string, string) {
	if flags&zipFlagUTF8 != 0 || isASCII(raw) {
		return raw, ""
	}
	if u, ok := unicodePath(raw, extra); ok {
		return u, ""
	}
	return z.legacy(raw)
}

// legacy decodes a name written without the UTF-8 flag (a link target
// too: it is written in the same encoding as the names).
func (z zipNames) legacy(raw string) (string, string) {
	if isASCII(raw) {
		return raw, ""
	}
	var name, from string
	switch {
	case z.codePage != nil:
		b, err := z.codePage.NewDecoder().String(raw)
		if err != nil {
			return "", fmt.Sprintf("name is not valid in code page %s: %v", z.cpName, err)
		}
		name, from = b, z.cpName
	case utf8.ValidString(raw):
		return raw, ""
	default:
		name, from = decodeCP437(raw), "CP437"
	}
	if strings.Count(name, "/") != strings.Count(raw, "/") || strings.ContainsRune(name, '\\') {
		return "", fmt.Sprintf("name read as %s holds a backslash or a new slash (%q): it would split into folders; if the zip was made with another code page (such as Shift_JIS), name it with --zip-codepage", from, name)
	}
	return name, ""
}

// unicodePath reads the Info-ZIP Unicode Path extra field (version 1),
// only when it was written for this name (its CRC-32 matches).
func unicodePath(raw string, extra []byte) (string, bool) {
	for len(extra) >= 4 {
		tag := binary.LittleEndian.Uint16(extra)
		size := int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if size > len(extra) {
			return "", false
		}
		field := extra[:size]
		extra = extra[size:]
		if tag != zipUnicodePath || len(field) < 5 || field[0] != 1 {
			continue
		}
		name := string(field[5:])
		if binary.LittleEndian.Uint32(field[1:]) == crc32.ChecksumIEEE([]byte(raw)) && name != "" && utf8.ValidString(name) {
			return name, true
		}
	}
	return "", false
}

// decodeCP437 reads bytes as code page 437.
func decodeCP437(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c < 0x80 {
			b.WriteByte(c)
		} else {
			b.WriteRune(cp437Runes[c-0x80])
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
