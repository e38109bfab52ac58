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

// The OS hands an onramp:// link to the program alone. A link to the
// service this Onramp uses (the saved session's, the publisher
// profile's) opens its sign-in with the user ID filled in; a link to
// another service never goes straight to a password form: refused with a
// profile, shown for the person to confirm without one, and the saved
// session is left alone. Anything but a service and a user ID is refused
// with exit 2.
func TestSignInLink(t *testing.T) {
	home := freshHome(t)
	const link = "onramp://signin?server=https%3A%2F%2Faccounts.example.com%2F&user=U123"
	w, code, stderr := openedWindow(t, link)
	if code != exitOK || w.Client != nil || w.LinkServer != "https://accounts.example.com" || w.SignInUser != "U123" {
		t.Fatalf("no profile, no session: exit %d, %q; window %+v; want the address to confirm", code, stderr, w)
	}
	// The saved session's service: its sign-in, filled.
	if err := w.SaveSession("https://Accounts.example.com/", "U9"); err != nil {
		t.Fatal(err)
	}
	w, code, stderr = openedWindow(t, link)
	if code != exitOK || w.Client == nil || w.Client.Server() != "https://accounts.example.com" || w.SignInUser != "U123" || w.LinkServer != "" {
		t.Fatalf("the saved session's service: exit %d, %q; window %+v", code, stderr, w)
	}
	// Another service while a session is saved: confirmed first, and the
	// session file is untouched.
	sessionPath := filepath.Join(home, "Onramp", "session.json")
	before, err := os.ReadFile(sessionPath)
	if err != nil {
		t.Fatal(err)
	}
	w, code, stderr = openedWindow(t, "onramp://signin?server=https%3A%2F%2Fattacker.example&user=U1")
	if code != exitOK || w.Client != nil || w.LinkServer != "https://attacker.example" {
		t.Fatalf("another service: exit %d, %q; window %+v", code, stderr, w)
	}
	if after, _ := os.ReadFile(sessionPath); !bytes.Equal(before, after) {
		t.Fatalf("the saved session changed: %s", after)
	}
	// With a profile: its service's link is used; another is refused, and
	// the window opens on the profile's service.
	t.Setenv(ProfileEnv, filepath.Join("..", "profile", "testdata", "good.json"))
	os.Remove(sessionPath)
	w, code, stderr = openedWindow(t, "onramp://signin?server=https%3A%2F%2Faccounts.northwind.example&user=U7")
	if code != exitOK || w.Client == nil || w.Client.Server() != "https://accounts.northwind.example" || w.SignInUser != "U7" || w.RefusedLink != "" {
		t.Fatalf("the profile's service: exit %d, %q; window %+v", code, stderr, w)
	}
	w, code, stderr = openedWindow(t, "onramp://signin?server=https%3A%2F%2Fattacker.example&user=U1")
	if code != exitOK || w.Client == nil || w.Client.Server() != "https://accounts.northwind.example" || w.SignInUser != "" ||
		w.LinkServer != "" || w.RefusedLink != "https://attacker.example" {
		t.Fatalf("another service with a profile: exit %d, %q; window %+v", code, stderr, w)
	}
	if !strings.Contains(stderr, "attacker.example") || !strings.Contains(stderr, "set up for accounts.northwind.example") {
		t.Errorf("the refusal does not name both services: %q", stderr)
	}
	t.Setenv(ProfileEnv, "")
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

// A link is the only argument the OS gives: flags after it (a quote in
// the link closing Windows' "%1") are refused, none obeyed.
func TestSignInLinkTakesNoFlags(t *testing.T) {
	freshHome(t)
	const link = "onramp://signin?server=https%3A%2F%2Faccounts.example.com&user=U1"
	for _, args := range [][]string{
		{link, "--config", `\\host\share\c.json`},
		{"ONRAMP://signin?server=https%3A%2F%2Faccounts.example.com&user=U1", "--lang", "fr"},
		{link, "--limit-rate", "1K"},
		{link, "--json"},
		{link, "signin"},
	} {
		w, code, stderr := openedWindow(t, args...)
		if code != exitUsage || w != nil || !strings.Contains(stderr, "link is given alone") {
			t.Errorf("%q: exit %d, window %v, stderr %q", args, code, w != nil, stderr)
		}
	}
}
