package archive

import (
	"errors"
	"strings"
	"testing"
)

func TestCP437Table(t *testing.T) {
	tests := []struct {
		b    byte
		want rune
	}{{0x80, 'Ç'}, {0x82, 'é'}, {0x9e, '₧'}, {0xb0, '░'}, {0xe1, 'ß'}, {0xfe, '■'}, {0xff, '\u00a0'}}
	if len(cp437Runes) != 128 {
		t.Fatalf("the table has %d runes", len(cp437Runes))
	}
	for _, tt := range tests {
		if got := []rune(decodeCP437(string([]byte{tt.b}))); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%#x: %q, want %q", tt.b, string(got), tt.want)
		}
	}
	if got, _ := (zipNames{}).name("caf\xc3\xa9", zipFlagUTF8, nil); got != "café" {
		t.Errorf("with the UTF-8 flag: %q", got)
	}
}

// Each code page answers to every name it goes by, whatever their case
// and punctuation; no name leads to two code pages; and the names decode
// what those code pages wrote.
func TestCodePageNames(t *testing.T) {
	seen := map[string]string{}
	for _, cp := range codePages() {
		for _, n := range cp.names {
			if other, ok := seen[codePageKey(n)]; ok {
				t.Errorf("%q names %s and %s", n, other, cp.names[0])
			}
			seen[codePageKey(n)] = cp.names[0]
			for _, form := range []string{n, strings.ToUpper(n), strings.ToLower(n), strings.ReplaceAll(n, "-", "_")} {
				if enc, err := codePage(form); err != nil || enc != cp.enc {
					t.Errorf("%q: %v, %v; want %s", form, enc, err, cp.names[0])
				}
			}
		}
	}
	decodes := []struct{ name, raw, want string }{
		{"cp932", "\x95\x5c\x8e\xa6", "表示"},
		{"shift-jis", "\x83\x5c\x83\x74\x83\x67", "ソフト"},
		{"Windows-31J", "\x95\x5c", "表"},
		{"cp936", "\xd6\xd0\xce\xc4", "中文"},
		{"gb2312", "\xd6\xd0\xce\xc4", "中文"},
		{"cp950", "\xa4\xa4\xa4\xe5", "中文"},
		{"cp949", "\xc7\xd1\xb1\xdb", "한글"},
		{"850", "caf\x82", "café"},
		{"cp866", "\x8f\xe0\xa8\xa2\xa5\xe2", "Привет"},
		{"latin1", "caf\xe9", "café"},
		{"ISO_8859-1:1987", "caf\xe9", "café"},
		{"cp1252", "\x80", "€"},
		{"koi8r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"mac", "caf\x8e", "café"},
		{"utf8", "café", "café"},
	}
	for _, d := range decodes {
		z, err := newZipNames(d.name)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		if got, why := z.legacy(d.raw); got != d.want {
			t.Errorf("%s: %q read as %q (%s), want %q", d.name, d.raw, got, why, d.want)
		}
	}
	for _, bad := range []string{"klingon", "cp", "windows", "iso-8859", "utf-16"} {
		if _, err := codePage(bad); !errors.Is(err, ErrUnknownCodePage) || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v, want ErrUnknownCodePage naming it", bad, err)
		}
	}
}
