// Package account is the assistant's client of the account service:
// sessions (the refresh token kept in the OS keyring, the access token in
// memory, or beside the refresh token for a session processes share),
// entitlements, users, designated callers, profile and
// support. It never imports portal; the service is reached over HTTP.
//
// This file holds the keyring side: refresh tokens live in the Secret
// Service (Linux), the Keychain (macOS) or the Credential Manager
// (Windows) through go-keyring, never in a file. A missing or locked
// keyring is an error that says what is missing; there is no fallback to
// plain text.
package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// secretStore is what the token store needs of a keyring.
type secretStore interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// osKeyring is the OS keyring, through go-keyring.
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) {
	if sessionBusMissing() {
		return "", errNoSessionBus
	}
	return keyring.Get(service, user)
}

func (osKeyring) Set(service, user, secret string) error {
	if sessionBusMissing() {
		return errNoSessionBus
	}
	return keyring.Set(service, user, secret)
}

func (osKeyring) Delete(service, user string) error {
	if sessionBusMissing() {
		return errNoSessionBus
	}
	return keyring.Delete(service, user)
}

// errNoSessionBus: no D-Bus session to reach the Secret Service through,
// and none is started (see sessionBusMissing).
var errNoSessionBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set); none is started")

// KeyringService is the service name Onramp's secrets are filed under.
const KeyringService = "Onramp"

// MaxSecretBytes is the largest secret stored: Windows' Credential Manager
// refuses more than 2,560 bytes, and every OS gets the same limit so a
// session that works on one works on all.
const MaxSecretBytes = 2560

// Errors callers branch on.
var (
	ErrNoSavedSession   = errors.New("no saved session: sign in")
	ErrSecretTooLarge   = fmt.Errorf("secret larger than %d bytes, the Windows Credential Manager's limit", MaxSecretBytes)
	ErrKeyringMissing   = errors.New("no OS keyring is reachable")
	ErrKeyringLocked    = errors.New("the OS keyring is locked")
	ErrKeyringTimedOut  = errors.New("the OS keyring did not answer in time (is an unlock prompt waiting?)")
	defaultKeyringLimit = 15 * time.Second
)

// TokenStore keeps one refresh token per account and server in the OS
// keyring.
type TokenStore struct {
	secrets secretStore
	timeout time.Duration
}

// NewTokenStore uses the OS keyring.
func NewTokenStore() *TokenStore {
	return &TokenStore{secrets: osKeyring{}, timeout: defaultKeyringLimit}
}

// keyringUser names the secret: the user ID at the server's host, so the
// same person on two account services keeps two sessions.
func keyringUser(server, user string) string {
	host := server
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		host = u.Host
	}
	return user + "@" + strings.ToLower(host)
}

// Save stores the refresh token, replacing any before.
func (s *TokenStore) Save(ctx context.Context, server, user, token string) error {
	return s.saveSession(ctx, server, user, storedSession{Refresh: token})
}

// Load returns the saved refresh token, or ErrNoSavedSession.
func (s *TokenStore) Load(ctx context.Context, server, user string) (string, error) {
	ss, err := s.loadSession(ctx, server, user)
	return ss.Refresh, err
}

// storedSession is what the keyring holds for one account on one
// service: the refresh token and, so that commands run at the same time
// need not each refresh it, the last access token and its expiry. The
// access token opens less, for less long, than the refresh token beside
// it, so it is kept as safely as that one is and no more.
type storedSession struct {
	Refresh       string    `json:"refresh"`
	Access        string    `json:"access,omitempty"`
	AccessExpires time.Time `json:"access_expires,omitzero"`
}

// usable reports whether the stored access token can be used for at
// least a minute more and is not the one the service just refused.
func (ss storedSession) usable(refused string) bool {
	return ss.Access != "" && ss.Access != refused && time.Until(ss.AccessExpires) > time.Minute
}

// saveSession stores a session, replacing any before: the refresh token
// alone as the bare secret, or with an access token as JSON (dropped, the
// access token, when the whole would not fit the keyring).
func (s *TokenStore) saveSession(ctx context.Context, server, user string, ss storedSession) error {
	if len(ss.Refresh) > MaxSecretBytes {
		return ErrSecretTooLarge
	}
	if ss.Refresh == "" {
		return errors.New("save session: empty token")
	}
	secret := ss.Refresh
	if ss.Access != "" {
		if b, err := json.Marshal(ss); err == nil && len(b) <= MaxSecretBytes {
			secret = string(b)
		}
	}
	return s.call(ctx, "save", func() error { return s.secrets.Set(KeyringService, keyringUser(server, user), secret) })
}

// loadSession returns the saved session, or ErrNoSavedSession. A bare
// secret is a refresh token alone.
func (s *TokenStore) loadSession(ctx context.Context, server, user string) (storedSession, error) {
	var secret string
	err := s.call(ctx, "read", func() error {
		var err error
		secret, err = s.secrets.Get(KeyringService, keyringUser(server, user))
		return err
	})
	if err != nil {
		return storedSession{}, err
	}
	if !strings.HasPrefix(secret, "{") {
		return storedSession{Refresh: secret}, nil
	}
	var ss storedSession
	if err := json.Unmarshal([]byte(secret), &ss); err != nil || ss.Refresh == "" {
		return storedSession{}, fmt.Errorf("keyring read: the saved session of %s is damaged: %w", user, ErrNoSavedSession)
	}
	return ss, nil
}

// Delete forgets the session; deleting a session that is not there is not
// an error.
func (s *TokenStore) Delete(ctx context.Context, server, user string) error {
	err := s.call(ctx, "delete", func() error { return s.secrets.Delete(KeyringService, keyringUser(server, user)) })
	if errors.Is(err, ErrNoSavedSession) {
		return nil
	}
	return err
}

// call runs one keyring operation with a deadline: the Secret Service may
// wait on an unlock prompt for ever, and a window must never freeze.
func (s *TokenStore) call(ctx context.Context, op string, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return classifyKeyringError(op, err)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("keyring %s: %w", op, ErrKeyringTimedOut)
		}
		return ctx.Err()
	}
}

// KeyringError says what is wrong with the keyring and what to do.
type KeyringError struct {
	Op   string // save, read, delete
	Kind error  // ErrKeyringMissing or ErrKeyringLocked
	Hint string // what to do, for this OS
	Err  error  // what the keyring said
}

func (e *KeyringError) Error() string {
	return fmt.Sprintf("keyring %s: %v: %v. %s", e.Op, e.Kind, e.Err, e.Hint)
}

func (e *KeyringError) Unwrap() []error { return []error{e.Kind, e.Err} }

func classifyKeyringError(op string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNoSavedSession
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ErrSecretTooLarge
	}
	if errors.Is(err, errNoSessionBus) {
		return &KeyringError{Op: op, Kind: ErrKeyringMissing, Err: err,
			Hint: "Onramp keeps your session in the Secret Service of your desktop session (GNOME Keyring, KWallet or KeePassXC) over D-Bus; sign in from a desktop session, or start one (for example with dbus-run-session)"}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS") || strings.Contains(msg, "dbus: ") && strings.Contains(msg, "connect"),
		strings.Contains(msg, "no such file or directory") && runtime.GOOS == "linux",
		strings.Contains(msg, "connection refused"):
		return &KeyringError{Op: op, Kind: ErrKeyringMissing, Err: err,
			Hint: "Onramp keeps your session in the Secret Service of your desktop session (GNOME Keyring, KWallet or KeePassXC) over D-Bus, and none could be reached; log in to a desktop session, or start one"}
	case strings.Contains(msg, "org.freedesktop.secrets") || strings.Contains(msg, "ServiceUnknown"):
		return &KeyringError{Op: op, Kind: ErrKeyringMissing, Err: err,
			Hint: "no Secret Service runs in this D-Bus session: install and start GNOME Keyring, KWallet or KeePassXC's Secret Service"}
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "dismissed") || strings.Contains(msg, "locked"):
		return &KeyringError{Op: op, Kind: ErrKeyringLocked, Err: err,
			Hint: "unlock your keyring (your desktop's password manager) and try again"}
	case runtime.GOOS == "darwin" && strings.Contains(msg, "exit status"):
		return &KeyringError{Op: op, Kind: ErrKeyringLocked, Err: err,
			Hint: "the login keychain refused access: unlock it in Keychain Access and try again"}
	}
	return fmt.Errorf("keyring %s: %w", op, err)
}

// memorySecrets keeps secrets in this process only.
type memorySecrets struct {
	mu    sync.Mutex
	items map[string]string
}

func (s *memorySecrets) Get(service, user string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.items[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (s *memorySecrets) Set(service, user, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[service+"\x00"+user] = secret
	return nil
}

func (s *memorySecrets) Delete(service, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[service+"\x00"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(s.items, service+"\x00"+user)
	return nil
}

// NewMemoryTokenStore keeps sessions in this process only. It is for the
// demo, whose account service lives only as long as the window: a session
// that outlives its service is of no use, and the demo must work on a
// machine without a keyring. Real services always use NewTokenStore.
func NewMemoryTokenStore() *TokenStore {
	return &TokenStore{secrets: &memorySecrets{items: map[string]string{}}, timeout: defaultKeyringLimit}
}

// Probe checks that the keyring can store a secret, by writing and
// deleting a test item. A first sign-in calls it before the password
// changes on the service: a keyring that fails after the change would
// leave the user with a new password and no session.
func (s *TokenStore) Probe(ctx context.Context, server string) error {
	user := keyringUser(server, "onramp-probe")
	if err := s.call(ctx, "save", func() error { return s.secrets.Set(KeyringService, user, "probe") }); err != nil {
		return err
	}
	return s.call(ctx, "delete", func() error { return s.secrets.Delete(KeyringService, user) })
}
