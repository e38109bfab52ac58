package archive

import "testing"

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
