package clip

import (
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "abc", 10, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut", "abcdefghij", 6, "abc…"},
		{"cut-on-a-character-start", "aaéé", 5, "aa…"},
		{"cut-before-a-split-character", "aébcd", 5, "a…"},
		{"no-room-for-the-mark", "abcdef", 2, "ab"},
		{"no-room-at-all", "abcdef", 0, ""},
		{"no-room-for-a-character", "éa", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("Text(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if len(got) > tt.n || !utf8.ValidString(got) {
				t.Errorf("Text(%q, %d) = %q: longer than asked or not UTF-8", tt.in, tt.n, got)
			}
		})
	}
}
