package portal

import (
	"strings"
	"testing"
)

// randomString draws n symbols of the alphabet, and every symbol of it
// (2,000 IDs: a symbol missing from them is a broken draw, not chance).
func TestRandomString(t *testing.T) {
	seen := map[rune]int{}
	for range 2000 {
		s := randomString(8, idAlphabet)
		if len(s) != 8 {
			t.Fatalf("%q: %d symbols, want 8", s, len(s))
		}
		for _, r := range s {
			if !strings.ContainsRune(idAlphabet, r) {
				t.Fatalf("%q: %q is not in the alphabet", s, r)
			}
			seen[r]++
		}
	}
	if len(seen) != len(idAlphabet) {
		t.Errorf("%d of the %d symbols drawn: %v", len(seen), len(idAlphabet), seen)
	}
	if p := newTemporaryPassword(); len(p) != 14 || strings.Count(p, "-") != 2 {
		t.Errorf("temporary password %q", p)
	}
}
