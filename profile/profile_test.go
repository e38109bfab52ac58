package profile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFiles(t *testing.T) {
	tests := []struct {
		file  string
		field string // the field the error names; "" for a good file
		says  string
	}{
		{"good.json", "", ""},
		{"minimal.json", "", ""},
		{"http-remote.json", "service_url", "https is required"},
		{"bad-key.json", "catalog_keys[1]", "ed25519"},
		{"demo-key.json", "catalog_keys[0]", "demo key"},
		{"no-keys.json", "catalog_keys", "at least one"},
		{"unknown-field.json", "", "servce_url"},
		{"no-publisher.json", "publisher", "missing"},
		{"bad-email.json", "support.email", "not an email address"},
		{"truncated.json", "", "not a profile"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			p, err := ReadFile(path)
			if tt.says == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.Source != path || len(p.Keys()) != len(p.CatalogKeys) || p.Publisher == "" {
					t.Fatalf("profile %+v", p)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *profile.Error", err, err)
			}
			if pe.Source != path || pe.Field != tt.field {
				t.Errorf("error names %q field %q, want %q field %q", pe.Source, pe.Field, path, tt.field)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.says) || !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file and say %q", msg, tt.says)
			}
		})
	}
}

func TestGoodProfileFields(t *testing.T) {
	p, err := ReadFile(filepath.Join("testdata", "good.json"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Publisher != "Northwind Software" || p.ServiceURL != "https://accounts.northwind.example" || p.Host() != "accounts.northwind.example" ||
		p.Support.Email != "help@northwind.example" || p.Support.Hours == "" {
		t.Fatalf("profile %+v", p)
	}
}

func TestCheckServiceURL(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://accounts.example.com", true},
		{"https://accounts.example.com/onramp", true},
		{"http://127.0.0.1:8443", true},
		{"http://[::1]:8443", true},
		{"http://localhost:8443", true},
		{"http://127.evil.example", false},
		{"http://127.0.0.1.evil.example", false},
		{"http://[::ffff:127.0.0.1]:8443", true},
		{"http://localhost.evil.example", false},
		{"http://accounts.example.com", false},
		{"ftp://accounts.example.com", false},
		{"accounts.example.com", false},
		{"https://", false},
		{"https://user:pw@accounts.example.com", false},
		{"https://accounts.example.com/?token=x", false},
		{"", false},
	} {
		err := CheckServiceURL(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckServiceURL(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrServiceURL) {
			t.Errorf("CheckServiceURL(%q): %v is not ErrServiceURL", tt.url, err)
		}
	}
}

// A development build embeds no profile.
func TestNoEmbeddedProfileInDevelopment(t *testing.T) {
	if p, err := EmbeddedProfile(); p != nil || err != nil {
		t.Fatalf("embedded profile %+v, %v: a profile.json was left in profile/embedded", p, err)
	}
}
