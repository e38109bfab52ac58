package setup

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"onramp.dev/onramp/catalog"
)

// Config is the assistant's configuration file (JSON). Unknown fields are
// refused, so a typo is never silently ignored.
type Config struct {
	// TrustedKeys are publishers' catalog keys, "ed25519:BASE64", in
	// addition to any built in.
	TrustedKeys []string `json:"trusted_keys"`
}

// LoadConfig reads the configuration at path. A missing file is an empty
// configuration unless required (a file named explicitly must exist).
func LoadConfig(path string, required bool) (*Config, error) {
	c := &Config{}
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	return c, nil
}

// Trust is which publishers' catalogs this assistant accepts, and the
// history that refuses an older catalog than one already accepted.
type Trust struct {
	Config         string // the configuration file ("" for none)
	ConfigRequired bool   // Config was named explicitly: it must exist
	KeyFiles       []string
	// Demo is the demo publisher's key, trusted in demo mode only (its
	// private half is public, so it must never vouch for a real catalog).
	Demo ed25519.PublicKey
	// Profile are the publisher profile's catalog keys, trusted
	// machine-wide; ProfileErr is why the profile could not be read: no
	// catalog is opened without the keys it should have given.
	Profile    []ed25519.PublicKey
	ProfileErr error
	// History is the catalog history file ("" for DefaultHistoryFile()).
	History string
}

// Keyring is the set of keys this trust accepts: the configured keys, the
// key files, and the demo key when given.
func (t *Trust) Keyring() (*catalog.Keyring, error) {
	if t.ProfileErr != nil {
		return nil, t.ProfileErr
	}
	cfg, err := LoadConfig(t.Config, t.ConfigRequired)
	if err != nil {
		return nil, err
	}
	k := catalog.NewKeyring()
	for i, s := range cfg.TrustedKeys {
		pub, err := catalog.ParsePublicKey([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("configuration %s: trusted_keys[%d]: %w", t.Config, i, err)
		}
		k.Add(pub)
	}
	for _, f := range t.KeyFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		pub, err := catalog.ParsePublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", f, err)
		}
		k.Add(pub)
	}
	for _, pub := range t.Profile {
		k.Add(pub)
	}
	if t.Demo != nil {
		k.Add(t.Demo)
	}
	return k, nil
}

// DefaultHistoryFile is where the newest catalog issue time seen per
// publisher key is kept: catalog-history.json in the user's configuration
// folder (beside config.json and the install receipts). It is per user:
// root, as which deployments run, keeps its own.
func DefaultHistoryFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("catalog history: %w", err)
	}
	return filepath.Join(dir, "Onramp", "catalog-history.json"), nil
}

// Open is the one way a signed catalog is opened, whoever asks (the
// catalog commands, a catalog file, the account service's catalog,
// deployments): verified against the trusted keys, then checked against
// the catalog history so that an older catalog than one already accepted
// from the same publisher is refused (catalog.ErrRollback), and recorded.
//
// A pinned catalog (a deployment folder's) is verified but neither its
// expiry nor its age is held against it: IT pushes a deployment months
// after building it, on purpose, with the versions it chose; what must
// hold is that the publisher signed every package. It is still recorded,
// so a newer one raises the bar for the others.
func (t *Trust) Open(data []byte, pinned bool) (*catalog.Verified, error) {
	ring, err := t.Keyring()
	if err != nil {
		return nil, err
	}
	var v *catalog.Verified
	if pinned {
		v, err = ring.Verify(data)
	} else {
		v, err = ring.Open(data, time.Now())
	}
	if err != nil {
		return nil, err
	}
	path := t.History
	if path == "" {
		if path, err = DefaultHistoryFile(); err != nil {
			return nil, err
		}
	}
	h := catalog.NewHistory(path)
	if pinned {
		err = h.Remember(v)
	} else {
		err = h.Accept(v)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}
