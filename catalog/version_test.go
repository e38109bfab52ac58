package catalog

import "testing"

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"numeric-not-lexical", "1.10", "1.9", 1},
		{"equal", "2.0.1", "2.0.1", 0},
		{"missing-parts-are-zero", "1.2", "1.2.0", 0},
		{"longer-is-newer", "1.2.0.1", "1.2", 1},
		{"leading-zeros", "535.104.05", "535.104.5", 0},
		{"windows-build", "10.0.22631", "10.0.19045", 1},
		{"prerelease-before-release", "2.0.0-beta.1", "2.0.0", -1},
		{"prerelease-numeric", "2.0.0-rc.10", "2.0.0-rc.9", 1},
		{"prerelease-number-before-word", "1.0.0-1", "1.0.0-alpha", -1},
		{"prerelease-longer-is-newer", "1.0.0-alpha.1", "1.0.0-alpha", 1},
		{"build-metadata-ignored", "1.0.0+abc", "1.0.0+def", 0},
		{"v-prefix", "v3.1", "3.1.0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := MustVersion(tt.a), MustVersion(tt.b)
			if got := a.Compare(b); got != tt.want {
				t.Errorf("Compare(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := b.Compare(a); got != -tt.want {
				t.Errorf("Compare(%s, %s) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestParseVersionRefuses(t *testing.T) {
	for _, s := range []string{"", "1..2", "1.x", "-1", "1.2-", "1.2-be ta", ".1", "1.", "99999999999999999999", "1.2.3-a..b"} {
		if _, err := ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) accepted it", s)
		}
	}
}
