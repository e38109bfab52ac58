package portal

import (
	"strings"
	"testing"
)

// A password travels in a PostgreSQL URL's user information or in its
// query (password, sslpassword): either is found, and neither is shown.
func TestPostgresURLSecrets(t *testing.T) {
	tests := []struct {
		url     string
		secrets int
	}{
		{"postgres://onramp@127.0.0.1/onramp?sslmode=disable", 0},
		{"postgres://onramp:s3cret-pw@127.0.0.1/onramp", 1},
		{"postgres://onramp@127.0.0.1/onramp?password=s3cret-pw", 1},
		{"postgresql://onramp@127.0.0.1/onramp?sslmode=verify-full&sslpassword=s3cret-pw", 1},
		{"postgres://onramp:s3cret-pw@127.0.0.1/onramp?Password=s3cret-pw&sslpassword=s3cret-pw", 3},
	}
	for _, tt := range tests {
		if got := PostgresURLSecrets(tt.url); len(got) != tt.secrets {
			t.Errorf("%s: secrets %q, want %d", tt.url, got, tt.secrets)
		}
		red := RedactPostgresURL(tt.url)
		if strings.Contains(red, "s3cret-pw") {
			t.Errorf("%s: redacted as %s", tt.url, red)
		}
		if !strings.Contains(red, "127.0.0.1/onramp") {
			t.Errorf("%s: redacted as %s, which no longer names the database", tt.url, red)
		}
	}
	if red := RedactPostgresURL("postgres://onramp:s3cret-pw@[::1/x?password=s3cret-pw"); strings.Contains(red, "s3cret-pw") {
		t.Errorf("a URL that does not parse: shown as %s", red)
	}
}
