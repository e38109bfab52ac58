package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"onramp.dev/onramp/internal/clip"
)

// SettingPublicURL names the setting that holds where people reach the
// service: the base of every link in an email.
const SettingPublicURL = "public-url"

// SettingProfile names the setting that holds the publisher profile (its
// name and support contacts) as JSON: every command that writes emails
// reads it, as it reads the public URL, so that an email names the same
// contacts whichever process wrote it.
const SettingProfile = "profile"

// ErrNoPublicURL: no public URL is stored yet.
var ErrNoPublicURL = errors.New("no public URL is set: start the service once with `portal serve --public-url URL`, or run `portal settings set public-url URL`")

// ErrBadPublicURL: a public URL that emails cannot carry.
var ErrBadPublicURL = errors.New("public URL")

// maxPublicURLBytes bounds the public URL: it starts every link.
const maxPublicURLBytes = 500

// CheckPublicURL checks an address people reach the service at and
// returns it without a trailing slash. It must be absolute https, or
// http on a loopback host (a service tried on one machine): a link sent
// over plain http to another machine would carry its token in clear.
func CheckPublicURL(raw string) (string, error) {
	if len(raw) > maxPublicURLBytes {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrBadPublicURL, maxPublicURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Not repeated: what failed to parse may hold a password.
		return "", fmt.Errorf("%w: not a URL; want https://HOST[:PORT][/PATH]", ErrBadPublicURL)
	}
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w %q: %s", ErrBadPublicURL, clip.Text(u.Redacted(), 80), why)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return bad("want https://HOST[:PORT][/PATH]")
	case u.Host == "" || u.Hostname() == "":
		return bad("no host")
	case u.User != nil:
		return bad("leave the user name and password out")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return bad("leave out the query (?…) and fragment (#…)")
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		return bad("http is only for a loopback host (127.0.0.1, ::1, localhost); use https")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("bad port")
		}
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Setting returns a stored setting; ErrNotFound if it was never set.
func (s *SQLStore) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("setting %s: %w", name, ErrNotFound)
	}
	return v, err
}

// SetSetting stores a setting, and audits the change.
func (s *SQLStore) SetSetting(ctx context.Context, name, value, actor string) error {
	return s.retry(ctx, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&old); err == nil && old == value {
			return nil // nothing changes: nothing to audit
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value); err != nil {
			return err
		}
		if err := audit(ctx, tx, AuditEntry{Actor: actor, Action: "setting." + name, Detail: value}); err != nil {
			return err
		}
		return tx.Commit()
	})
}

// PublicURL returns the stored public URL; ErrNoPublicURL if none is.
func (s *SQLStore) PublicURL(ctx context.Context) (string, error) {
	v, err := s.Setting(ctx, SettingPublicURL)
	if errors.Is(err, ErrNotFound) {
		return "", ErrNoPublicURL
	}
	return v, err
}

// SetPublicURL checks and stores the public URL, and returns it as
// stored.
func (s *SQLStore) SetPublicURL(ctx context.Context, raw, actor string) (string, error) {
	v, err := CheckPublicURL(raw)
	if err != nil {
		return "", err
	}
	return v, s.SetSetting(ctx, SettingPublicURL, v, actor)
}

// PublisherProfile returns the stored publisher profile; the zero Profile
// (no contacts) if none is stored.
func (s *SQLStore) PublisherProfile(ctx context.Context) (Profile, error) {
	v, err := s.Setting(ctx, SettingProfile)
	if errors.Is(err, ErrNotFound) {
		return Profile{}, nil
	}
	if err != nil {
		return Profile{}, err
	}
	p, err := ParseProfile([]byte(v))
	if err != nil {
		return Profile{}, fmt.Errorf("setting %s: %w", SettingProfile, err)
	}
	return p, nil
}

// SetPublisherProfile checks and stores the publisher profile.
func (s *SQLStore) SetPublisherProfile(ctx context.Context, p Profile, actor string) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := ParseProfile(data); err != nil {
		return err
	}
	return s.SetSetting(ctx, SettingProfile, string(data), actor)
}

// pageTokenTTL bounds a link's life when no temporary password does.
const pageTokenTTL = TemporaryPasswordTTL

// pageLink is the token of a link in an email, as stored: its hash only.
type pageLink struct {
	hash, userID, purpose string
	contractID            string // the membership the page is about; "" for the oldest
	expires               time.Time
}

// savePageToken stores an email's link token in the email's transaction.
func savePageToken(ctx context.Context, tx *sql.Tx, l *pageLink) error {
	if l == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO page_tokens (hash, user_id, purpose, expires, contract_id) VALUES (?, ?, ?, ?, ?)`,
		l.hash, l.userID, l.purpose, ts(l.expires), nullIfEmpty(l.contractID))
	return err
}

// pageTokenUser finds the user a page token was made for, and the
// contract ("" for their oldest), if the token is for that purpose and has
// not expired.
func (s *SQLStore) pageTokenUser(ctx context.Context, hash, purpose string, now time.Time) (string, string, error) {
	var userID, expires, contractID string
	err := s.db.QueryRowContext(ctx, `SELECT user_id, expires, coalesce(contract_id, '') FROM page_tokens WHERE hash = ? AND purpose = ?`, hash, purpose).
		Scan(&userID, &expires, &contractID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(parseTS(expires))) {
		return "", "", ErrNotFound
	}
	return userID, contractID, err
}
