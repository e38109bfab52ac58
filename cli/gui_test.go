package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openedWindow runs the CLI with args and returns the Window it handed
// to the GUI, with its exit code and standard error.
func openedWindow(t *testing.T, args ...string) (*Window, int, string) {
	t.Helper()
	var got *Window
	gui := func(ctx context.Context, w Window) error { got = &w; return nil }
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb, gui)
	return got, code, errb.String()
}

// freshHome is a user with nothing configured: no session, no profile.
func freshHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv(ProfileEnv, "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	return dir
}

// A plain launch on a fresh home folder opens the window without a
// service, which then asks for one: never the demo, even in a build that
// has it (offered as a link only).
func TestPlainLaunchAsksForTheService(t *testing.T) {
	freshHome(t)
	w, code, stderr := openedWindow(t)
	if code != exitOK || w == nil {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if w.Client != nil || w.Demo != nil || w.Connect == nil || w.SaveSession == nil || w.ForgetSession == nil {
		t.Fatalf("a plain launch: %+v; want no client, no demo, and a way to connect and save the session", w)
	}
	if w.TryDemo == nil {
		t.Error("a build with the demo does not offer it on the first screen")
	}
	saved := demoStarter
	SetDemo(nil)
	defer SetDemo(saved)
	if w, _, _ := openedWindow(t); w == nil || w.TryDemo != nil {
		t.Errorf("a build without the demo offers it: %+v", w)
	}
}

// The window's session is the command line's: what the window saves, a
// plain launch resumes on the same service; forgetting it removes it.
func TestWindowSharesTheSession(t *testing.T) {
	home := freshHome(t)
	w, _, _ := openedWindow(t)
	if err := w.SaveSession("https://accounts.example.com", "U123"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "Onramp", "session.json")); err != nil {
		t.Fatalf("the window's session is not where 'signin' keeps it: %v", err)
	}
	w, code, stderr := openedWindow(t)
	if code != exitOK || w.Client == nil || w.Client.Server() != "https://accounts.example.com" {
		t.Fatalf("the next launch: exit %d, %q; window %+v", code, stderr, w)
	}
	if err := w.ForgetSession(); err != nil {
		t.Fatal(err)
	}
	if w, _, _ := openedWindow(t); w.Client != nil {
		t.Fatalf("after sign-out, a launch still has the service %s", w.Client.Server())
	}
}

// With a publisher profile, the window opens on its service, named.
func TestProfileOpensItsService(t *testing.T) {
	freshHome(t)
	t.Setenv(ProfileEnv, filepath.Join("..", "profile", "testdata", "good.json"))
	w, code, stderr := openedWindow(t)
	if code != exitOK || w.Client == nil || w.Client.Server() != "https://accounts.northwind.example" || w.Publisher != "Northwind Software" {
		t.Fatalf("exit %d, %q; window %+v", code, stderr, w)
	}
	// --server names another service: not the publisher's name on it.
	w, _, _ = openedWindow(t, "gui", "--server", "https://other.example")
	if w.Publisher != "" {
		t.Fatalf("the profile's name on another service: %q", w.Publisher)
	}
	// A broken profile is said, never skipped.
	t.Setenv(ProfileEnv, filepath.Join("..", "profile", "testdata", "bad-key.json"))
	if _, code, stderr := openedWindow(t); code == exitOK || !strings.Contains(stderr, "catalog_keys[1]") {
		t.Fatalf("broken profile: exit %d, %q", code, stderr)
	}
}

// The OS hands an onramp:// link to the program alone: the window opens
// on that service's sign-in with the user ID filled in. Anything but a
// service and a user ID is refused with exit 2.
func TestSignInLink(t *testing.T) {
	freshHome(t)
	w, code, stderr := openedWindow(t, "onramp://signin?server=https%3A%2F%2Faccounts.example.com%2F&user=U123")
	if code != exitOK || w.Client == nil || w.Client.Server() != "https://accounts.example.com" || w.SignInUser != "U123" {
		t.Fatalf("exit %d, %q; window %+v", code, stderr, w)
	}
	for _, bad := range []string{
		"onramp://signin?server=https%3A%2F%2Fa.example.com&user=U1&password=secret",
		"onramp://signin?server=https%3A%2F%2Fa.example.com&user=U1&token=x",
		"onramp://signin?server=http%3A%2F%2Fa.example.com&user=U1",
		"onramp://signin?user=U1",
		"onramp://signin?server=https%3A%2F%2Fa.example.com",
		"onramp://signin?server=https%3A%2F%2Fa.example.com&user=U1&user=U2",
		"onramp://admin?server=https%3A%2F%2Fa.example.com&user=U1",
		"onramp://signin/x?server=https%3A%2F%2Fa.example.com&user=U1",
		"onramp://signin?server=https%3A%2F%2Fa.example.com&user=U%0A1",
		"onramp://signin?server=https%3A%2F%2Fa.example.com&user=" + strings.Repeat("u", 3000),
	} {
		w, code, stderr := openedWindow(t, bad)
		if code != exitUsage || w != nil || !strings.Contains(stderr, "onramp link") {
			t.Errorf("%s: exit %d, window %v, stderr %q", bad, code, w != nil, stderr)
		}
		if strings.Contains(stderr, "secret") {
			t.Errorf("%s: the error repeats the secret: %q", bad, stderr)
		}
	}
}
