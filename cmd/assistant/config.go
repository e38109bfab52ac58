package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
)

// config is the assistant's configuration file (JSON). Unknown fields are
// refused, so a typo is never silently ignored.
type config struct {
	// TrustedKeys are publishers' catalog keys, "ed25519:BASE64", in
	// addition to any built in.
	TrustedKeys []string `json:"trusted_keys"`

	path string
}

// configPath is --config, else $ONRAMP_CONFIG, else config.json in the
// user's configuration folder (%AppData%\Onramp on Windows,
// ~/Library/Application Support/Onramp on macOS, ~/.config/Onramp on Linux).
func (e *env) configFile() string {
	if e.configPath != "" {
		return e.configPath
	}
	if p := os.Getenv("ONRAMP_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "Onramp", "config.json")
}

// loadConfig reads the configuration. A missing default file is an empty
// configuration; a file named explicitly must exist.
func (e *env) loadConfig() (*config, error) {
	path := e.configFile()
	c := &config{path: path}
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && e.configPath == "" && os.Getenv("ONRAMP_CONFIG") == "" {
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

// keyring is the set of catalog keys this run trusts: the configured keys,
// the --key files, and the demo key in demo mode only (its private half is
// public, so it must never vouch for a real catalog).
func (e *env) keyring(extraKeyFiles ...string) (*catalog.Keyring, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	k := catalog.NewKeyring()
	for i, s := range cfg.TrustedKeys {
		pub, err := catalog.ParsePublicKey([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("configuration %s: trusted_keys[%d]: %w", cfg.path, i, err)
		}
		k.Add(pub)
	}
	for _, f := range extraKeyFiles {
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
	if e.demo {
		k.Add(assets.DemoPublicKey())
	}
	return k, nil
}

// explainUntrusted adds what to do when a catalog is signed by a key this
// run does not trust.
func (e *env) explainUntrusted(err error, signed []byte) error {
	if !errors.Is(err, catalog.ErrUntrustedKey) {
		return err
	}
	if env, _ := catalog.ReadEnvelope(signed); env != nil && !e.demo {
		for _, s := range env.Signatures {
			if s.KeyID == catalog.KeyID(assets.DemoPublicKey()) {
				return fmt.Errorf("%w (this is the Onramp demo key, trusted only with --demo)", err)
			}
		}
	}
	return fmt.Errorf("%w (add the publisher's key to trusted_keys in %s, or pass --key)", err, e.configFile())
}

// historyFile is where the newest catalog issue time seen per publisher key
// is kept: catalog-history.json in the user's configuration folder (beside
// config.json and the install receipts). It is per user: root, as which
// deployments run, keeps its own.
func historyFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("catalog history: %w", err)
	}
	return filepath.Join(dir, "Onramp", "catalog-history.json"), nil
}

// openSigned is the one way the assistant opens a signed catalog, whoever
// asks (the catalog commands, --catalog, the window's catalog from the
// account service, deployments): verified against this run's keys, then
// checked against the catalog history so that an older catalog than one
// already accepted from the same publisher is refused (catalog.ErrRollback),
// and recorded there.
//
// A pinned catalog (a deployment folder's) is verified but neither its
// expiry nor its age is held against it: IT pushes a deployment months
// after building it, on purpose, with the versions it chose; what must
// hold is that the publisher signed every package. It is still recorded,
// so a newer one raises the bar for the others.
func (e *env) openSigned(data []byte, keys []string, pinned bool) (*catalog.Verified, error) {
	ring, err := e.keyring(keys...)
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
		return nil, e.explainUntrusted(err, data)
	}
	path, err := historyFile()
	if err != nil {
		return nil, err
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
