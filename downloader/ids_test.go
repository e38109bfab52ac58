package downloader

import (
	"regexp"
	"strings"
	"testing"
)

// The written-out checks accept exactly what the patterns they replace
// accepted.
func TestWrittenOutChecksMatchTheirPatterns(t *testing.T) {
	sha := regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	forced := regexp.MustCompile(`^[A-Za-z0-9]+::`)
	for _, s := range []string{"", strings.Repeat("a", 64), strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 65), strings.Repeat("z", 64),
		"s3::https://x/y", "git::ssh://x", "::x", "https://[fe80::1]/x", "S3x9::", "s-3::x", "s3:x", "s3", "é::x"} {
		if got, want := isSHA256Hex(s), sha.MatchString(s); got != want {
			t.Errorf("sha256 %q: %v, the pattern says %v", s, got, want)
		}
		if got, want := getterForced(s), forced.MatchString(s); got != want {
			t.Errorf("forced %q: %v, the pattern says %v", s, got, want)
		}
	}
}
