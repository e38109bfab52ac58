package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
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

// codePage finds a code page by its IANA name or one of its aliases
// (Shift_JIS, IBM437, windows-1252, ISO-8859-1...), its WHATWG label
// (sjis, gbk, big5, euc-kr...) or its Windows or DOS number (cp932, 850).
// Case, spaces, '-', '_' and '.' do not count: "shift-jis" is Shift_JIS.
func codePage(name string) (encoding.Encoding, error) {
	key := codePageKey(name)
	for _, cp := range codePages() {
		for _, n := range cp.names {
			if codePageKey(n) == key {
				return cp.enc, nil
			}
		}
	}
	return nil, fmt.Errorf("zip code page %q: %w (use an IANA name or a Windows number, such as Shift_JIS, cp932, IBM437, windows-1252, GBK or Big5)", name, ErrUnknownCodePage)
}

func codePageKey(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.':
			return -1
		}
		return r
	}, strings.ToLower(name))
}

type namedCodePage struct {
	names []string // the IANA name first
	enc   encoding.Encoding
}

// codePages are the code pages zip tools wrote legacy names in, each with
// the names it goes by. It is a function, not a table built when the
// program starts: most runs never name a code page. (The x/text name
// indexes, ianaindex and htmlindex, cost every run of the program their
// tables at start-up, with the language tables they bring.)
func codePages() []namedCodePage {
	return []namedCodePage{
		{[]string{"IBM437", "cp437", "437", "csPC8CodePage437"}, charmap.CodePage437},
		{[]string{"IBM850", "cp850", "850", "csPC850Multilingual"}, charmap.CodePage850},
		{[]string{"IBM852", "cp852", "852", "csPCp852"}, charmap.CodePage852},
		{[]string{"IBM855", "cp855", "855", "csIBM855"}, charmap.CodePage855},
		{[]string{"IBM00858", "CCSID00858", "CP00858", "cp858", "858", "PC-Multilingual-850+euro"}, charmap.CodePage858},
		{[]string{"IBM860", "cp860", "860", "csIBM860"}, charmap.CodePage860},
		{[]string{"IBM862", "cp862", "862", "csPC862LatinHebrew"}, charmap.CodePage862},
		{[]string{"IBM863", "cp863", "863", "csIBM863"}, charmap.CodePage863},
		{[]string{"IBM865", "cp865", "865", "csIBM865"}, charmap.CodePage865},
		{[]string{"IBM866", "cp866", "866", "csIBM866"}, charmap.CodePage866},
		{[]string{"windows-874", "cp874", "874", "TIS-620", "ISO-8859-11"}, charmap.Windows874},
		{[]string{"windows-1250", "cp1250", "1250", "x-cp1250"}, charmap.Windows1250},
		{[]string{"windows-1251", "cp1251", "1251", "x-cp1251"}, charmap.Windows1251},
		{[]string{"windows-1252", "cp1252", "1252", "x-cp1252"}, charmap.Windows1252},
		{[]string{"windows-1253", "cp1253", "1253", "x-cp1253"}, charmap.Windows1253},
		{[]string{"windows-1254", "cp1254", "1254", "x-cp1254"}, charmap.Windows1254},
		{[]string{"windows-1255", "cp1255", "1255", "x-cp1255"}, charmap.Windows1255},
		{[]string{"windows-1256", "cp1256", "1256", "x-cp1256"}, charmap.Windows1256},
		{[]string{"windows-1257", "cp1257", "1257", "x-cp1257"}, charmap.Windows1257},
		{[]string{"windows-1258", "cp1258", "1258", "x-cp1258"}, charmap.Windows1258},
		{[]string{"ISO-8859-1", "ISO_8859-1:1987", "latin1", "l1", "IBM819", "CP819", "csISOLatin1"}, charmap.ISO8859_1},
		{[]string{"ISO-8859-2", "ISO_8859-2:1987", "latin2", "l2", "csISOLatin2"}, charmap.ISO8859_2},
		{[]string{"ISO-8859-3", "ISO_8859-3:1988", "latin3", "l3", "csISOLatin3"}, charmap.ISO8859_3},
		{[]string{"ISO-8859-4", "ISO_8859-4:1988", "latin4", "l4", "csISOLatin4"}, charmap.ISO8859_4},
		{[]string{"ISO-8859-5", "ISO_8859-5:1988", "cyrillic", "csISOLatinCyrillic"}, charmap.ISO8859_5},
		{[]string{"ISO-8859-6", "ISO_8859-6:1987", "arabic", "ECMA-114", "ASMO-708", "csISOLatinArabic"}, charmap.ISO8859_6},
		{[]string{"ISO-8859-7", "ISO_8859-7:1987", "greek", "greek8", "ELOT_928", "ECMA-118", "csISOLatinGreek"}, charmap.ISO8859_7},
		{[]string{"ISO-8859-8", "ISO_8859-8:1988", "hebrew", "csISOLatinHebrew"}, charmap.ISO8859_8},
		{[]string{"ISO-8859-9", "ISO_8859-9:1989", "latin5", "l5", "csISOLatin5"}, charmap.ISO8859_9},
		{[]string{"ISO-8859-10", "latin6", "l6", "csISOLatin6"}, charmap.ISO8859_10},
		{[]string{"ISO-8859-13", "csISO885913"}, charmap.ISO8859_13},
		{[]string{"ISO-8859-14", "latin8", "l8", "csISO885914"}, charmap.ISO8859_14},
		{[]string{"ISO-8859-15", "Latin-9", "csISO885915"}, charmap.ISO8859_15},
		{[]string{"ISO-8859-16", "latin10", "l10", "csISO885916"}, charmap.ISO8859_16},
		{[]string{"KOI8-R", "csKOI8R"}, charmap.KOI8R},
		{[]string{"KOI8-U", "csKOI8U"}, charmap.KOI8U},
		{[]string{"macintosh", "mac", "csMacintosh", "x-mac-roman"}, charmap.Macintosh},
		{[]string{"x-mac-cyrillic", "x-mac-ukrainian"}, charmap.MacintoshCyrillic},
		{[]string{"Shift_JIS", "MS_Kanji", "csShiftJIS", "sjis", "x-sjis", "ms932", "cp932", "932", "windows-31j", "csWindows31J"}, japanese.ShiftJIS},
		{[]string{"EUC-JP", "csEUCPkdFmtJapanese", "x-euc-jp", "cp51932"}, japanese.EUCJP},
		{[]string{"ISO-2022-JP", "csISO2022JP"}, japanese.ISO2022JP},
		{[]string{"EUC-KR", "csEUCKR", "cp949", "949", "windows-949", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "korean", "iso-ir-149", "csKSC56011987"}, korean.EUCKR},
		{[]string{"GBK", "CP936", "MS936", "936", "windows-936", "GB2312", "csGB2312", "x-gbk", "chinese", "GB_2312-80", "iso-ir-58", "csISO58GB231280"}, simplifiedchinese.GBK},
		{[]string{"GB18030", "csGB18030", "cp54936"}, simplifiedchinese.GB18030},
		{[]string{"HZ-GB-2312"}, simplifiedchinese.HZGB2312},
		{[]string{"Big5", "csBig5", "cp950", "950", "Big5-HKSCS", "x-x-big5", "cn-big5"}, traditionalchinese.Big5},
		{[]string{"UTF-8", "csUTF8", "unicode-1-1-utf-8"}, unicode.UTF8},
	}
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
