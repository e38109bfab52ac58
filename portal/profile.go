package portal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"unicode"

	"onramp.dev/onramp/internal/clip"
)

// Profile is the publisher profile: the file a release embeds so that
// Onramp knows its publisher's service, and that the service reads for
// the publisher's name and support contacts.
type Profile struct {
	Publisher   string         `json:"publisher"`
	ServiceURL  string         `json:"service_url"`
	CatalogKeys []string       `json:"catalog_keys"`
	Support     ProfileSupport `json:"support"`
}

// ProfileSupport is how the publisher's support is reached. Any of them
// may be missing; the pages and emails then say none is configured.
type ProfileSupport struct {
	Web   string `json:"web,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"` // designated callers only
	Hours string `json:"hours,omitempty"`
}

// Configured says whether any way of reaching support is given.
func (s ProfileSupport) Configured() bool { return s.Web != "" || s.Email != "" || s.Phone != "" }

// maxProfileBytes bounds a profile file: a few lines of JSON.
const maxProfileBytes = 64 << 10

// ErrBadProfile: the publisher profile cannot be used.
var ErrBadProfile = errors.New("publisher profile")

// LoadProfile reads and checks a publisher profile file.
func LoadProfile(file string) (Profile, error) {
	f, err := os.Open(file)
	if err != nil {
		return Profile{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxProfileBytes+1))
	if err != nil {
		return Profile{}, fmt.Errorf("%s: %w", file, err)
	}
	if len(data) > maxProfileBytes {
		return Profile{}, fmt.Errorf("%s: %w: larger than %d bytes", file, ErrBadProfile, maxProfileBytes)
	}
	p, err := ParseProfile(data)
	if err != nil {
		return Profile{}, fmt.Errorf("%s: %w", file, err)
	}
	return p, nil
}

// ParseProfile decodes a profile strictly (an unknown field is a typo)
// and checks each value.
func ParseProfile(data []byte) (Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("%w: %v", ErrBadProfile, err)
	}
	if dec.More() {
		return Profile{}, fmt.Errorf("%w: more than one JSON value", ErrBadProfile)
	}
	bad := func(field, why string) (Profile, error) {
		return Profile{}, fmt.Errorf("%w: %s: %s", ErrBadProfile, field, why)
	}
	for field, v := range map[string]string{"publisher": p.Publisher, "support.phone": p.Support.Phone, "support.hours": p.Support.Hours} {
		if len(v) > 200 {
			return bad(field, "longer than 200 bytes")
		}
		if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }) >= 0 {
			return bad(field, "holds a control character")
		}
	}
	if p.ServiceURL != "" {
		if _, err := CheckPublicURL(p.ServiceURL); err != nil {
			return bad("service_url", err.Error())
		}
	}
	if p.Support.Web != "" {
		if u, err := url.Parse(p.Support.Web); err != nil || u.Scheme != "https" || u.Host == "" || len(p.Support.Web) > 2000 {
			return bad("support.web", fmt.Sprintf("%q: want an https:// address", clip.Text(p.Support.Web, 60)))
		}
	}
	if p.Support.Email != "" {
		if a, err := mail.ParseAddress(p.Support.Email); err != nil || a.Address != p.Support.Email || len(p.Support.Email) > MaxEmailBytes {
			return bad("support.email", fmt.Sprintf("%q: want an address such as support@example.com", clip.Text(p.Support.Email, 60)))
		}
	}
	for i, k := range p.CatalogKeys {
		b64, ok := strings.CutPrefix(k, "ed25519:")
		raw, err := base64.StdEncoding.DecodeString(b64)
		if !ok || err != nil || len(raw) != 32 {
			return bad(fmt.Sprintf("catalog_keys[%d]", i), "want ed25519: and the base64 of a 32-byte public key")
		}
	}
	return p, nil
}

// WithProfile gives the service its publisher's name and support
// contacts. Without it, pages and the support answer say that none is
// configured.
func WithProfile(p Profile) Option {
	return func(s *Service) { s.profile = p }
}
