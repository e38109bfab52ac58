package catalog

import (
	"regexp"
	"strings"
	"testing"
)

// The written-out checks accept exactly what the patterns they replace
// accepted.
func TestIDChecksMatchTheirPatterns(t *testing.T) {
	checks := []struct {
		name    string
		pattern *regexp.Regexp
		check   func(string) bool
	}{
		{"product id", regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`), IsProductID},
		{"sha256", regexp.MustCompile(`^[0-9a-fA-F]{64}$`), IsSHA256Hex},
		{"feature", regexp.MustCompile(`^[a-z0-9_.]{1,32}$`), isFeature},
	}
	inputs := []string{"", "a", "-", "-a", "a-", "atlas", "atlas-2", "Atlas", "at las", "at_las", "a.b", "avx2", "sse4_2",
		"é", "a\n", "\na", strings.Repeat("a", 32), strings.Repeat("a", 33), strings.Repeat("a", 63), strings.Repeat("a", 64),
		strings.Repeat("f", 64), strings.Repeat("F", 64), strings.Repeat("0", 63), strings.Repeat("0", 65), strings.Repeat("g", 64),
		strings.Repeat("ab", 31) + "-", "0" + strings.Repeat("-", 62), "a/b", "a:b"}
	for _, c := range checks {
		for _, s := range inputs {
			if got, want := c.check(s), c.pattern.MatchString(s); got != want {
				t.Errorf("%s %q: %v, the pattern says %v", c.name, s, got, want)
			}
		}
	}
}
