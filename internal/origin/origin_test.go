package origin

import (
	"net/url"
	"testing"
)

func TestSame(t *testing.T) {
	for _, c := range []struct {
		name, a, b string
		same       bool
	}{
		{"identical", "https://accounts.example.com/api/v1/", "https://accounts.example.com/api/v1/packages/x", true},
		{"default-port", "https://accounts.example.com", "https://accounts.example.com:443/x", true},
		{"host-case", "https://Accounts.Example.com", "https://accounts.example.com/x", true},
		{"ipv6-forms", "http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]:8080/x", true},
		{"other-port", "http://127.0.0.1:8080", "http://127.0.0.1:8081/x", false},
		{"other-loopback", "http://127.0.0.1:8080", "http://127.0.0.2:8080/x", false},
		{"scheme-downgrade", "https://accounts.example.com", "http://accounts.example.com:443/x", false},
		{"subdomain", "https://example.com", "https://cdn.example.com/x", false},
		{"suffix", "https://example.com", "https://example.com.evil.test/x", false},
		{"userinfo-trick", "https://example.com", "https://example.com@evil.test/x", false},
		{"relative", "https://example.com", "/x", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, _ := url.Parse(c.a)
			b, _ := url.Parse(c.b)
			if got := Same(a, b); got != c.same {
				t.Errorf("Same(%s, %s) = %v, want %v", c.a, c.b, got, c.same)
			}
		})
	}
}
