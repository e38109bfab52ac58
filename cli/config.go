package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/profile"
	"onramp.dev/onramp/setup"
)

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

// ProfileEnv names a publisher profile file that replaces the machine-wide
// one, to try a profile before IT installs it (and for tests). Unlike the
// machine-wide file, its owner is not checked: it is set in this user's
// own environment and affects only this user's runs.
const ProfileEnv = "ONRAMP_PROFILE"

// LoadProfile is the publisher profile in force: $ONRAMP_PROFILE, else
// the machine-wide file, else the one built in; nil when there is none.
func LoadProfile() (*profile.Profile, error) {
	if p := os.Getenv(ProfileEnv); p != "" {
		return profile.ReadFile(p)
	}
	return profile.Load()
}

// profile is LoadProfile, read once per run.
func (e *env) profile() (*profile.Profile, error) {
	if !e.profileRead {
		e.prof, e.profErr = LoadProfile()
		e.profileRead = true
	}
	return e.prof, e.profErr
}

// trust is the keys this run trusts: the configuration's, the publisher
// profile's, the --key files, and the demo key in demo mode only.
func (e *env) trust(keyFiles ...string) *setup.Trust {
	t := &setup.Trust{Config: e.configFile(), ConfigRequired: e.configPath != "" || os.Getenv("ONRAMP_CONFIG") != "", KeyFiles: keyFiles}
	if e.demo {
		t.Demo = assets.DemoPublicKey()
	}
	p, err := e.profile()
	t.ProfileErr = err
	if p != nil {
		t.Profile = p.Keys()
	}
	return t
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
	return fmt.Errorf("%w (install the publisher profile, %s, or add the publisher's key to trusted_keys in %s, or pass --key)", err, profile.MachinePath(), e.configFile())
}

// openSigned opens a signed catalog as setup.Trust.Open does, saying what
// to do about a key this run does not trust.
func (e *env) openSigned(data []byte, keys []string, pinned bool) (*catalog.Verified, error) {
	v, err := e.trust(keys...).Open(data, pinned)
	if err != nil {
		return nil, e.explainUntrusted(err, data)
	}
	return v, nil
}
