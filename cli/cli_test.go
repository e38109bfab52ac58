package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
)

type result struct {
	code           int
	stdout, stderr string
}

// run is the CLI as a build without a window runs it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Main(ctx, args, stdin, stdout, stderr, nil)
}

func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	// No user configuration leaks into the tests.
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv(installer.MachineStateEnv, t.TempDir()) // run as root, installs are machine-wide
	t.Setenv(installer.MachineLogDirEnv, t.TempDir())
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"gui-bad-language", []string{"gui", "--lang", "de"}, exitUsage, `--lang "de": want en or fr`},
		{"tour-without-demo", []string{"gui", "--server", "http://127.0.0.1:9", "--tour", "x"}, exitUsage, "--tour needs --demo"},
		{"unknown-command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown-subcommand", []string{"catalog", "nope"}, exitUsage, `unknown command "nope"`},
		{"unknown-flag", []string{"catalog", "check", "--bogus", "x"}, exitUsage, "-bogus"},
		{"missing-argument", []string{"catalog", "check"}, exitUsage, "wrong number of arguments"},
		{"extra-argument", []string{"version", "extra"}, exitUsage, "wrong number of arguments"},
		{"show-without-file", []string{"catalog", "show"}, exitUsage, "--demo"},
		{"sign-without-key", []string{"catalog", "sign", "x.json"}, exitUsage, "--key"},
		{"install-profile-without-file", []string{"install-profile"}, exitUsage, "needs the profile FILE"},
		{"install-profile-remove-and-file", []string{"install-profile", "--remove", "x.json"}, exitUsage, "--remove takes no FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"catalog", "--help"}, {"catalog", "check", "--help"}, {"catalog", "sign", "-h"}} {
		r := runCLI(t, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}

// The demo catalog is accepted; a copy with one
// changed byte, an expired one, and one signed with another key are each
// refused with exit 4 and a message that says which.
func TestCatalogCheck(t *testing.T) {
	dir := t.TempDir()
	demo := writeFile(t, dir, "demo.json", assets.DemoSignedCatalog())
	demoPub := writeFile(t, dir, "demo.pub", []byte(catalog.FormatPublicKey(assets.DemoPublicKey())))

	var env catalog.Envelope
	if err := json.Unmarshal(assets.DemoSignedCatalog(), &env); err != nil {
		t.Fatal(err)
	}
	env.Payload[100] ^= 0x20 // one changed byte inside the payload
	changed, _ := json.Marshal(env)
	expired, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now().Add(-48*time.Hour), 24*time.Hour, assets.DemoSigningKey())
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := generateKey()
	byOther, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now(), time.Hour, other)
	if err != nil {
		t.Fatal(err)
	}
	invalid := bytes.Replace(assets.DemoCatalogJSON(), []byte(`"format": "zip"`), []byte(`"format": "rar"`), 1)
	invalidSigned := signUnchecked(t, invalid)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"demo-with-demo-flag", []string{"--demo", "catalog", "check", demo}, 0, "valid"},
		{"demo-with-key-file", []string{"catalog", "check", demo, "--key", demoPub}, 0, "valid"},
		{"demo-key-not-trusted-by-default", []string{"catalog", "check", demo}, exitIntegrity, "trusted only with --demo"},
		{"one-changed-byte", []string{"--demo", "catalog", "check", writeFile(t, dir, "changed.json", changed)}, exitIntegrity, "changed after it was signed"},
		{"expired", []string{"--demo", "catalog", "check", writeFile(t, dir, "expired.json", expired)}, exitIntegrity, "expired"},
		{"other-key", []string{"--demo", "catalog", "check", writeFile(t, dir, "other.json", byOther)}, exitIntegrity, "not trusted"},
		{"unsigned", []string{"--demo", "catalog", "check", writeFile(t, dir, "bare.json", assets.DemoCatalogJSON())}, exitIntegrity, "bare catalog, not a signed envelope"},
		{"signed-but-invalid", []string{"--demo", "catalog", "check", writeFile(t, dir, "invalid.json", invalidSigned)}, exitFailed, `.format (line`},
		{"missing-file", []string{"--demo", "catalog", "check", filepath.Join(dir, "nope.json")}, exitFailed, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Fatalf("exit %d, output %q %q; want exit %d and %q", r.code, r.stdout, r.stderr, tt.code, tt.want)
			}
		})
	}
}

func TestCatalogCheckJSON(t *testing.T) {
	dir := t.TempDir()
	demo := writeFile(t, dir, "demo.json", assets.DemoSignedCatalog())
	r := runCLI(t, "", "--demo", "catalog", "check", "--json", demo)
	var res checkResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v: %s", r.code, err, r.stdout)
	}
	if !res.OK || res.Products != 3 || res.KeyID != catalog.KeyID(assets.DemoPublicKey()) || len(res.Problems) != 0 {
		t.Errorf("unexpected result: %+v", res)
	}
	r = runCLI(t, "", "catalog", "check", "--json", demo)
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != exitIntegrity || res.OK || res.Problems[0].Kind != "integrity" {
		t.Fatalf("untrusted: exit %d, %+v, %v", r.code, res, err)
	}
}

// A publisher makes a key, signs a catalog with it, and an assistant that
// trusts the key through its configuration accepts it.
func TestKeygenSignCheck(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "publisher.pem")
	r := runCLI(t, "", "catalog", "keygen", "--out", key, "--json")
	if r.code != 0 {
		t.Fatalf("keygen: %d %s", r.code, r.stderr)
	}
	var kg map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &kg); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode: %v, %v", st.Mode(), err)
	}
	if r := runCLI(t, "", "catalog", "keygen", "--out", key); r.code != exitFailed {
		t.Errorf("keygen over an existing key: exit %d", r.code)
	}
	src := writeFile(t, dir, "catalog.json", assets.DemoCatalogJSON())
	signed := filepath.Join(dir, "catalog.signed.json")
	if r := runCLI(t, "", "catalog", "sign", "--key", key, "--out", signed, "--valid-for", "30d", src); r.code != 0 {
		t.Fatalf("sign: %d %s", r.code, r.stderr)
	}
	cfg := writeFile(t, dir, "config.json", []byte(`{"trusted_keys": ["`+kg["public_key"]+`"]}`))
	if r := runCLI(t, "", "--config", cfg, "catalog", "check", signed); r.code != 0 {
		t.Fatalf("check with configured key: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", "--config", cfg, "catalog", "show", signed); r.code != 0 || !strings.Contains(r.stdout, "atlas") {
		t.Fatalf("show: %d %s %s", r.code, r.stdout, r.stderr)
	}
	bad := writeFile(t, dir, "bad.json", []byte(`{"trusted_keys": ["ed25519:nope"]}`))
	if r := runCLI(t, "", "--config", bad, "catalog", "check", signed); r.code != exitFailed || !strings.Contains(r.stderr, "trusted_keys[0]") {
		t.Errorf("bad config: %d %s", r.code, r.stderr)
	}
	typo := writeFile(t, dir, "typo.json", []byte(`{"trusted_key": []}`))
	if r := runCLI(t, "", "--config", typo, "catalog", "check", signed); r.code != exitFailed || !strings.Contains(r.stderr, "trusted_key") {
		t.Errorf("config typo: %d %s", r.code, r.stderr)
	}
	// Signing refuses an invalid catalog.
	invalid := writeFile(t, dir, "invalid.json", []byte(`{"schema": 1, "publisher": "x", "products": []}`))
	if r := runCLI(t, "", "catalog", "sign", "--key", key, invalid); r.code != exitFailed || !strings.Contains(r.stderr, "want at least one product") {
		t.Errorf("sign invalid: %d %s", r.code, r.stderr)
	}
}

func TestDemoShow(t *testing.T) {
	r := runCLI(t, "", "--demo", "catalog", "show")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"atlas", "lumen", "quill", "2.10.0"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, "", "catalog", "show", "--demo", "--json")
	var c struct {
		Products []struct{ ID string } `json:"products"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || len(c.Products) != 3 {
		t.Fatalf("--json: %v %s", err, r.stdout)
	}
}

// signUnchecked signs a payload without Sign's schema check, as a careless
// or hostile publisher could.
func signUnchecked(t *testing.T, payload []byte) []byte {
	t.Helper()
	good, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now(), time.Hour, assets.DemoSigningKey())
	if err != nil {
		t.Fatal(err)
	}
	var env catalog.Envelope
	if err := json.Unmarshal(good, &env); err != nil {
		t.Fatal(err)
	}
	env.Payload = payload
	msg := []byte(catalog.EnvelopeFormat + "\nissued=" + env.Issued + "\nexpires=" + env.Expires + "\n")
	env.Signatures[0].Sig = ed25519.Sign(assets.DemoSigningKey(), append(msg, payload...))
	out, _ := json.Marshal(env)
	return out
}

// The gui command checks its options and starts the demo service here; the
// window it hands them to is the binary's. Without one, it says so.
func TestGUIHook(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		withGUI  bool
		code     int
		wantLang string
		wantRate int64
		wantCLI  string
	}{
		{"demo-window", []string{"--demo", "gui", "--lang", "fr", "--limit-rate", "2M"}, true, exitOK, "fr", 2 << 20, "assistant --demo"},
		{"no-command-is-the-window", []string{"--demo"}, true, exitOK, "", 0, "assistant --demo"},
		{"no-window-in-this-build", []string{"--demo", "gui"}, false, exitFailed, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ONRAMP_CONFIG", "")
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			var got *Window
			var gui GUI
			if tt.withGUI {
				gui = func(ctx context.Context, w Window) error {
					got = &w
					return nil
				}
			}
			var out, errb bytes.Buffer
			code := Main(context.Background(), tt.args, strings.NewReader(""), &out, &errb, gui)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errb.String())
			}
			if !tt.withGUI {
				if !strings.Contains(errb.String(), errNoWindow.Error()) {
					t.Fatalf("stderr %q, want %q", errb.String(), errNoWindow)
				}
				return
			}
			if got == nil {
				t.Fatal("the window was not opened")
			}
			if got.Demo == nil || got.Client == nil || got.OpenCatalog == nil {
				t.Fatalf("window without the demo service: %+v", got)
			}
			if got.Language != tt.wantLang || got.RateLimit != tt.wantRate || got.CLI != tt.wantCLI || got.SignedIn {
				t.Fatalf("window %+v; want language %q, rate %d, CLI %q", got, tt.wantLang, tt.wantRate, tt.wantCLI)
			}
			if !strings.Contains(out.String(), got.Demo.ManagerID) {
				t.Fatalf("stdout %q does not show the demo user ID", out.String())
			}
			if _, err := got.OpenCatalog(assets.DemoSignedCatalog()); err != nil {
				t.Fatalf("the demo catalog: %v", err)
			}
		})
	}
}

// A build without the demo (every release) refuses --demo with exit 2
// and says how to get a build that has it, for the window and every
// command alike; nothing else changes.
func TestNoDemoInThisBuild(t *testing.T) {
	saved := demoStarter
	SetDemo(nil)
	t.Cleanup(func() { SetDemo(saved) })
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, args := range [][]string{{"--demo"}, {"--demo", "gui"}, {"--demo", "products"}, {"catalog", "show", "--demo"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			opened := false
			gui := func(context.Context, Window) error { opened = true; return nil }
			var out, errb bytes.Buffer
			code := Main(context.Background(), args, strings.NewReader(""), &out, &errb, gui)
			if code != exitUsage || opened {
				t.Fatalf("exit %d (window opened: %v), want %d; stderr %q", code, opened, exitUsage, errb.String())
			}
			if !strings.Contains(errb.String(), "this build of Onramp has no demo") || !strings.Contains(errb.String(), "-tags demo") {
				t.Fatalf("stderr %q does not say the build has no demo", errb.String())
			}
		})
	}
	if r := runCLI(t, "", "version"); r.code != exitOK {
		t.Fatalf("version without the demo: exit %d", r.code)
	}
}
