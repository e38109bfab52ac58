package installer

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// cp437 is the upper half (0x80-0xFF) of code page 437, the encoding of a
// zip entry's name when its UTF-8 flag is off (APPNOTE 4.4.4, appendix D).
const cp437 = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0"

var cp437Runes = []rune(cp437)

// zipFlagUTF8 is the general purpose flag bit 11: the name is UTF-8.
const zipFlagUTF8 = 0x800

// zipName decodes a zip entry's name by the entry's flag: UTF-8 when bit
// 11 is set, CP437 otherwise (as the format says, and as unzip does).
// ASCII names read the same either way.
func zipName(raw string, flags uint16) string {
	if flags&zipFlagUTF8 != 0 || isASCII(raw) {
		return raw
	}
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

// MarshalJSON writes a record whose path or link is not UTF-8 (a tar name
// in Latin-1, kept byte for byte) losslessly: JSON strings cannot hold
// such bytes, so they go in path_bytes / link_bytes (base64), and path /
// link get a readable form with U+FFFD for the bytes that are not UTF-8.
func (f FileRecord) MarshalJSON() ([]byte, error) {
	type plain FileRecord
	out := struct {
		plain
		PathBytes []byte `json:"path_bytes,omitempty"`
		LinkBytes []byte `json:"link_bytes,omitempty"`
	}{plain: plain(f)}
	if !utf8.ValidString(f.Path) {
		out.PathBytes, out.Path = []byte(f.Path), strings.ToValidUTF8(f.Path, "\uFFFD")
	}
	if !utf8.ValidString(f.Link) {
		out.LinkBytes, out.Link = []byte(f.Link), strings.ToValidUTF8(f.Link, "\uFFFD")
	}
	return json.Marshal(out)
}

// appendJSON appends what json.Marshal writes for f, byte for byte,
// without reflection when the path and link need no escaping (the rule
// for files from archives): staging writes one record per file.
func (f FileRecord) appendJSON(b []byte) ([]byte, error) {
	if !plainJSON(f.Path) || !plainJSON(f.Link) || !plainJSON(f.SHA256) {
		m, err := json.Marshal(f)
		return append(b, m...), err
	}
	b = append(b, `{"path":"`...)
	b = append(b, f.Path...)
	b = append(b, `","size":`...)
	b = strconv.AppendInt(b, f.Size, 10)
	b = append(b, `,"mode":`...)
	b = strconv.AppendUint(b, uint64(f.Mode), 10)
	if f.SHA256 != "" {
		b = append(b, `,"sha256":"`...)
		b = append(b, f.SHA256...)
		b = append(b, '"')
	}
	if f.Link != "" {
		b = append(b, `,"link":"`...)
		b = append(b, f.Link...)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

// plainJSON says whether encoding/json writes s as it is: printable
// ASCII without the characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *FileRecord) UnmarshalJSON(b []byte) error {
	type plain FileRecord
	var in struct {
		plain
		PathBytes []byte `json:"path_bytes"`
		LinkBytes []byte `json:"link_bytes"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*f = FileRecord(in.plain)
	if in.PathBytes != nil {
		f.Path = string(in.PathBytes)
	}
	if in.LinkBytes != nil {
		f.Link = string(in.LinkBytes)
	}
	return nil
}
