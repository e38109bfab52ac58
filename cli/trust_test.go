package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
)

// cliWithState runs commands that share one user's configuration folder
// (where the catalog history lives), unlike runCLI's fresh one per call.
func cliWithState(t *testing.T) func(args ...string) result {
	t.Helper()
	home := t.TempDir()
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	return func(args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
}

// Catalogs A (issued t1) and B (issued t2 > t1)
// by one publisher, both still valid. B then A is a rollback, refused with
// exit 4 and both times named, whichever command opens the catalog; A then
// B, and B twice, are accepted. A replayed older catalog would bring back
// releases the publisher has since replaced.
func TestCatalogRollbackRefused(t *testing.T) {
	dir := t.TempDir()
	_, key, err := generateKey()
	if err != nil {
		t.Fatal(err)
	}
	pubFile := writeFile(t, dir, "publisher.pub", []byte(catalog.FormatPublicKey(key.Public().(ed25519PublicKey))))
	t2 := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	t1 := t2.Add(-24 * time.Hour)
	sign := func(name string, at time.Time) string {
		signed, err := catalog.Sign(assets.DemoCatalogJSON(), at, 365*24*time.Hour, key)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, name, signed)
	}
	a, b := sign("a.json", t1), sign("b.json", t2)
	commands := map[string]func(file string) []string{
		"catalog-show":  func(f string) []string { return []string{"catalog", "show", f, "--key", pubFile} },
		"catalog-check": func(f string) []string { return []string{"catalog", "check", f, "--key", pubFile} },
		"check-product": func(f string) []string {
			return []string{"check", "--product", "atlas", "--catalog", f, "--key", pubFile, "--target", dir, "--cache", dir}
		},
	}
	tests := []struct {
		name     string
		sequence []string
		lastCode int
	}{
		{"newer-then-older", []string{b, a}, exitIntegrity},
		{"older-then-newer", []string{a, b}, 0},
		{"newer-twice", []string{b, b}, 0},
	}
	for cmdName, args := range commands {
		for _, tt := range tests {
			t.Run(cmdName+"/"+tt.name, func(t *testing.T) {
				cli := cliWithState(t)
				var r result
				for i, f := range tt.sequence {
					r = cli(args(f)...)
					if i < len(tt.sequence)-1 && r.code != 0 {
						t.Fatalf("catalog %d: exit %d %s %s", i, r.code, r.stdout, r.stderr)
					}
				}
				// check-product may exit 3 when this machine misses a requirement.
				if r.code != tt.lastCode && !(tt.lastCode == 0 && cmdName == "check-product" && r.code == exitRequirements) {
					t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.lastCode, r.stdout, r.stderr)
				}
				if tt.lastCode == exitIntegrity {
					msg := r.stdout + r.stderr
					for _, want := range []string{"older than one already seen", t1.Format(time.RFC3339), t2.Format(time.RFC3339)} {
						if !strings.Contains(msg, want) {
							t.Errorf("the message lacks %q:\n%s", want, msg)
						}
					}
				}
			})
		}
	}
}

// The history is a small file in the user's configuration folder, shared
// by every command, and the catalog commands all go through it.
func TestCatalogHistoryFile(t *testing.T) {
	cli := cliWithState(t)
	if r := cli("--demo", "catalog", "show"); r.code != 0 {
		t.Fatalf("show: %d %s", r.code, r.stderr)
	}
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "Onramp", "catalog-history.json")
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), catalog.KeyID(assets.DemoPublicKey())) {
		t.Fatalf("history %s: %v\n%s", path, err, data)
	}
}

// A deployment's catalog is pinned: a seat that has since seen a newer
// catalog from the publisher still installs it (IT chose those versions),
// while the interactive commands refuse the older catalog.
func TestDeployInstallPinnedCatalogIsNoRollback(t *testing.T) {
	cli := cliWithState(t)
	dir := filepath.Join(t.TempDir(), "deployment")
	seat := filepath.Join(t.TempDir(), "seat")
	plat := string(catalog.CurrentPlatform())
	if r := cli("--demo", "deploy", "create", "--product", "atlas", "--platform", plat, "--out", dir, "--target", seat); r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	newer, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now(), time.Hour, assets.DemoSigningKey())
	if err != nil {
		t.Fatal(err)
	}
	if r := cli("--demo", "catalog", "show", writeFile(t, t.TempDir(), "newer.json", newer)); r.code != 0 {
		t.Fatalf("show the newer catalog: %d %s", r.code, r.stderr)
	}
	if r := cli("--demo", "deploy", "install", dir, "--silent", "--log", filepath.Join(t.TempDir(), "log")); r.code != 0 {
		t.Fatalf("install: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := cli("--demo", "catalog", "show"); r.code != exitIntegrity || !strings.Contains(r.stderr, "older than one already seen") {
		t.Fatalf("the older demo catalog after a newer one: %d %s", r.code, r.stderr)
	}
}

// The publisher profile's catalog keys are trusted machine-wide, in
// addition to the user's trusted_keys: a catalog signed by the profile's
// key opens with the profile and no configuration, and is refused
// without it, with what to do.
func TestProfileKeysAreTrusted(t *testing.T) {
	dir := t.TempDir()
	_, key, err := generateKey()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now().Add(-time.Minute), time.Hour, key)
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, dir, "catalog.signed.json", signed)
	prof := writeFile(t, dir, "profile.json", []byte(`{"publisher": "Northwind Software", "service_url": "https://accounts.northwind.example",
		"catalog_keys": ["`+catalog.FormatPublicKey(key.Public().(ed25519PublicKey))+`"]}`))

	cli := cliWithState(t)
	t.Setenv(ProfileEnv, "")
	if r := cli("catalog", "check", file); r.code != exitIntegrity || !strings.Contains(r.stdout+r.stderr, "install the publisher profile") {
		t.Fatalf("without the profile: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := cli("signin", "--user", "U1"); r.code != exitUsage || !strings.Contains(r.stderr, "give --server") {
		t.Fatalf("signin with no service known: exit %d %s", r.code, r.stderr)
	}
	t.Setenv(ProfileEnv, prof)
	if r := cli("catalog", "check", file); r.code != 0 {
		t.Fatalf("with the profile: exit %d %s", r.code, r.stderr)
	}
	// signin's default service is the profile's: it goes on to ask for
	// the password (none on standard input here) instead of --server.
	if r := cli("signin", "--user", "U1"); r.code == exitUsage || strings.Contains(r.stderr, "give --server") || !strings.Contains(r.stderr, "password") {
		t.Fatalf("signin without --server ignores the profile: exit %d %s", r.code, r.stderr)
	}
}
