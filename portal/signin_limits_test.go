package portal

import (
	"strings"
	"testing"
)

// A variant of an ID that normalisation does not make ASCII matches no
// account, and costs what an unknown user costs.
func TestNormalizeLogin(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"id", " uabcd2345 ", "UABCD2345", true},
		{"long-s", "UAſCD2345", "UASCD2345", true},
		{"fullwidth", "ＵＡＢＣ２３４５", "UABC2345", true},
		{"email", "Ana@ACME.example", "ana@acme.example", true},
		{"email-kelvin", "\u212Aim@acme.example", "kim@acme.example", true},
		{"email-long-s", "ſam@acme.example", "sam@acme.example", true},
		{"id-cyrillic", "UАBCD2345", "", false}, // a Cyrillic А
		{"id-symbols", "U'; DROP", "", false},
		{"empty", "  ", "", false},
		{"overlong", strings.Repeat("a", 400) + "@x.example", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := normalizeLogin(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("normalizeLogin(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
