// Package profile is the publisher profile: who ships this Onramp, the
// address of its account service, the catalog keys it signs with, and how
// its support is reached. A release embeds one (.ci/release --profile
// FILE); IT can override it machine-wide with a file only administrators
// write. The window and the command line read it: its service is the
// default --server, and its keys are trusted like the configuration's
// trusted_keys. It imports no Fyne and talks to no network.
package profile

import (
	"bytes"
	"crypto/ed25519"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strings"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
)

// Profile is one profile.json.
type Profile struct {
	Publisher   string   `json:"publisher"`
	ServiceURL  string   `json:"service_url"`
	CatalogKeys []string `json:"catalog_keys"`
	Support     Support  `json:"support"`

	// Source says where the profile came from: a file's path, or
	// "embedded" for the one built into this program.
	Source string `json:"-"`
	keys   []ed25519.PublicKey
}

// Support is how the publisher's support is reached; every field is
// optional.
type Support struct {
	Web   string `json:"web,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	Hours string `json:"hours,omitempty"`
}

// MaxBytes bounds a profile file: a few keys and addresses.
const MaxBytes = 64 << 10

// Embedded is the name of the embedded profile's Source.
const Embedded = "embedded"

// Error is a profile that cannot be used: which file, which field, why.
type Error struct {
	Source string // the file's path, or "embedded"
	Field  string // the JSON field, "" for the whole file
	Err    error
}

func (e *Error) Error() string {
	src := "publisher profile " + e.Source
	if e.Source == Embedded {
		src = "the publisher profile built into this program"
	}
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", src, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", src, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Parse reads and checks a profile; source names it in errors.
func Parse(data []byte, source string) (*Profile, error) {
	fail := func(field string, err error) (*Profile, error) {
		return nil, &Error{Source: source, Field: field, Err: err}
	}
	if len(data) > MaxBytes {
		return fail("", fmt.Errorf("%d bytes, more than %d", len(data), MaxBytes))
	}
	p := &Profile{Source: source}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return fail("", fmt.Errorf("not a profile (JSON with publisher, service_url, catalog_keys, support): %w", err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail("", errors.New("more than one JSON value"))
	}
	p.Publisher = strings.TrimSpace(p.Publisher)
	if p.Publisher == "" {
		return fail("publisher", errors.New("missing: the publisher's name, shown to people"))
	}
	if len(p.Publisher) > 200 {
		return fail("publisher", errors.New("longer than 200 bytes"))
	}
	if err := CheckServiceURL(p.ServiceURL); err != nil {
		return fail("service_url", err)
	}
	if len(p.CatalogKeys) == 0 {
		return fail("catalog_keys", errors.New(`missing: at least one "ed25519:BASE64" key that signs the service's catalog`))
	}
	for i, k := range p.CatalogKeys {
		pub, err := catalog.ParsePublicKey([]byte(k))
		if err != nil {
			return fail(fmt.Sprintf("catalog_keys[%d]", i), err)
		}
		if pub.Equal(assets.DemoPublicKey()) {
			// Its private half is public: it must never vouch for a real catalog.
			return fail(fmt.Sprintf("catalog_keys[%d]", i), errors.New("this is the Onramp demo key, which anyone can sign with"))
		}
		p.keys = append(p.keys, pub)
	}
	if w := p.Support.Web; w != "" {
		if u, err := url.Parse(w); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fail("support.web", fmt.Errorf("%q is not a web address (https://…)", w))
		}
	}
	if m := p.Support.Email; m != "" {
		if _, err := mail.ParseAddress(m); err != nil {
			return fail("support.email", fmt.Errorf("%q is not an email address", m))
		}
	}
	return p, nil
}

// ErrServiceURL is an account service address that cannot be used.
var ErrServiceURL = errors.New("not an account service address")

// CheckServiceURL checks an account service's address: an absolute http(s)
// URL with a host, https unless it is on this machine (loopback), with no
// user information, query or fragment.
func CheckServiceURL(s string) error {
	if s == "" {
		return fmt.Errorf("%w: missing (https://…)", ErrServiceURL)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrServiceURL, s, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "", u.Opaque != "":
		return fmt.Errorf("%w: %q: want https://host", ErrServiceURL, s)
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		return fmt.Errorf("%w: %q: no user name, query or fragment", ErrServiceURL, s)
	case u.Scheme == "http" && !IsLoopback(u.Hostname()):
		return fmt.Errorf("%w: %q: https is required (plain http only on this machine: 127.0.0.1, ::1, localhost)", ErrServiceURL, s)
	}
	return nil
}

// IsLoopback reports whether host names this machine: a loopback IP
// address, or "localhost" (which the account client accepts too). A name
// that merely starts like one (127.evil.example) is not.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Keys are the catalog keys the profile trusts, parsed.
func (p *Profile) Keys() []ed25519.PublicKey { return p.keys }

// Host is the service's host name, to show which service this is.
func (p *Profile) Host() string {
	u, err := url.Parse(p.ServiceURL)
	if err != nil {
		return p.ServiceURL
	}
	return u.Host
}

//go:embed embedded
var embedded embed.FS

// EmbeddedProfile is the profile built into this program, nil when there
// is none (a development build).
func EmbeddedProfile() (*Profile, error) {
	data, err := embedded.ReadFile("embedded/profile.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Source: Embedded, Err: err}
	}
	return Parse(data, Embedded)
}

// Load is the profile in force: the machine-wide file when there is one
// (IT's choice overrides the publisher's build), else the embedded one;
// nil when there is neither. A machine-wide file that exists but cannot
// be read or used is an error, never silently skipped; so is one that a
// user other than an administrator could have written (ErrUnprotected),
// since every user of the machine trusts its catalog keys.
func Load() (*Profile, error) {
	return load(MachinePath())
}

func load(machine string) (*Profile, error) {
	if machine != "" {
		p, err := readFile(machine, true)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return p, err
		}
	}
	return EmbeddedProfile()
}

// ReadFile reads and checks the profile at path. It does not judge who
// owns the file: the caller chose it for itself (a per-user override to
// try a profile, or a test), unlike the machine-wide file Load reads.
func ReadFile(path string) (*Profile, error) {
	return readFile(path, false)
}

func readFile(path string, machineWide bool) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if machineWide {
		// Judged on the open file, so that the file read is the one checked.
		if err := checkHolders(f, path); err != nil {
			return nil, &Error{Source: path, Err: err}
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, &Error{Source: path, Err: err}
	}
	return Parse(data, path)
}
