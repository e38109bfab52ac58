package portal

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestParseProfile(t *testing.T) {
	good := `{"publisher": "Acme Software", "service_url": "https://onramp.acme.example", "catalog_keys": ["ed25519:` +
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" + `"], "support": {"web": "https://help.acme.example", "email": "help@acme.example", "phone": "+33 1 23 45 67 89", "hours": "9-18"}}`
	p, err := ParseProfile([]byte(good))
	if err != nil || p.Publisher != "Acme Software" || p.Support.Phone != "+33 1 23 45 67 89" {
		t.Fatalf("%+v %v", p, err)
	}
	for name, bad := range map[string]string{
		"unknown field": `{"publisher": "A", "suport": {}}`,
		"http web":      `{"support": {"web": "http://help.acme.example"}}`,
		"bad email":     `{"support": {"email": "help at acme"}}`,
		"bad key":       `{"catalog_keys": ["ed25519:short"]}`,
		"plain http":    `{"service_url": "http://onramp.acme.example"}`,
		"control":       `{"publisher": "A\u0007"}`,
		"two values":    `{} {}`,
	} {
		if _, err := ParseProfile([]byte(bad)); !errors.Is(err, ErrBadProfile) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://onramp.acme.example":           "https://onramp.acme.example",
		"https://onramp.acme.example/portal/":   "https://onramp.acme.example/portal",
		"http://127.0.0.1:8443":                 "http://127.0.0.1:8443",
		"http://[::1]:8443/":                    "http://[::1]:8443",
		"http://localhost:8080":                 "http://localhost:8080",
		"https://onramp.acme.example:8443/a/b/": "https://onramp.acme.example:8443/a/b",
	} {
		if got, err := CheckPublicURL(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "onramp.acme.example", "http://onramp.acme.example", "http://10.0.0.1", "ftp://x.example",
		"https://", "https://u:pw@onramp.acme.example", "https://onramp.acme.example/?a=1", "https://onramp.acme.example/#x",
		"https://onramp.acme.example:0", "https://onramp.acme.example:99999", "https://" + strings.Repeat("a", 600)} {
		if _, err := CheckPublicURL(in); !errors.Is(err, ErrBadPublicURL) {
			t.Errorf("%q accepted (%v)", in, err)
		} else if strings.Contains(err.Error(), ":pw@") {
			t.Errorf("%q: the error repeats the password: %v", in, err)
		}
	}
}

// The order confirmation names the help page and the operator's support
// contacts, or none when none are configured: never a placeholder.
func TestOrderConfirmationSupport(t *testing.T) {
	p := newTestPortal(t)
	p.newContract(t, "ana@acme.example", "atlas")
	p.svc.profile = Profile{}
	p.newContract(t, "bo@acme.example", "atlas")
	out, _ := p.store.Outbox(context.Background(), false)
	bodies := map[string]string{}
	for _, e := range out {
		if e.Kind == "order_confirmation" {
			bodies[e.To] = e.Body
		}
	}
	if b := bodies["ana@acme.example"]; !strings.Contains(b, "Help: https://127.0.0.1/signin/help\n") || !strings.Contains(b, "Support: https://support.example.com\n") {
		t.Errorf("confirmation with a profile:\n%s", b)
	}
	if b := bodies["bo@acme.example"]; !strings.Contains(b, "Help: https://127.0.0.1/signin/help\n") || strings.Contains(b, "Support:") || strings.Contains(b, "onramp.dev") {
		t.Errorf("confirmation without a profile:\n%s", b)
	}
}
