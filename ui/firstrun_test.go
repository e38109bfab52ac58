package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal/web"
	"onramp.dev/onramp/profile"
)

// firstRunWindow opens the window as a plain launch on a fresh home
// folder does: no service, no demo; trusted are the keys the test gives.
func firstRunWindow(t *testing.T, trusted *catalog.Keyring, options ...func(*Config)) (*Assistant, *[]string) {
	t.Helper()
	var saved []string
	dir := t.TempDir()
	cfg := Config{
		Connect: func(server string) (*account.Client, error) {
			return account.NewWithTokens(server, account.NewMemoryTokenStore())
		},
		OpenCatalog: func(signed []byte) (*catalog.Catalog, error) {
			v, err := trusted.Open(signed, time.Now())
			if err != nil {
				return nil, err
			}
			return catalog.Parse(v.Payload)
		},
		SaveSession:   func(server, user string) error { saved = append(saved, server+" "+user); return nil },
		ForgetSession: func() error { saved = append(saved, "forgotten"); return nil },
		CacheDir:      filepath.Join(dir, "cache"), TargetRoot: filepath.Join(dir, "apps"), StateDir: filepath.Join(dir, "state"),
		Language: "en",
	}
	for _, o := range options {
		o(&cfg)
	}
	a := New(test.NewTempApp(t), cfg)
	a.Window().Resize(fyne.NewSize(1000, 700))
	t.Cleanup(a.Window().Close)
	return a, &saved
}

// startDemoService is the reference service on loopback, as a publisher
// runs it, with the demo catalog.
func startDemoService(t *testing.T) *web.Demo {
	t.Helper()
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	d, err := web.StartDemo(context.Background(), web.DemoOptions{Dir: t.TempDir(), SignedCatalog: assets.DemoSignedCatalog(), Catalog: c,
		Packages: assets.DemoPackageSource})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// A plain launch shows the address field, never the demo; each wrong
// address is refused in words before a password is typed; a real Onramp
// service whose key this computer trusts opens its sign-in, named on
// screen. The session signed in is saved, and forgotten at sign-out.
func TestFirstRunAsksForTheService(t *testing.T) {
	d := startDemoService(t)
	notOnramp := httptest.NewServer(http.NotFoundHandler())
	defer notOnramp.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	untrusting, _ := firstRunWindow(t, catalog.NewKeyring())
	a, saved := firstRunWindow(t, catalog.NewKeyring(assets.DemoPublicKey()))
	if a.first == nil || a.signin != nil {
		t.Fatal("a plain launch does not ask for the service's address")
	}
	text := labelsText(a.win.Content())
	if strings.Contains(text, "Demo") || strings.Contains(text, "demo") {
		t.Fatalf("a plain launch shows the demo: %q", text)
	}
	if a.win.Canvas().Focused() != fyne.Focusable(a.first.address) {
		t.Error("the address field does not have the keyboard")
	}
	for _, tt := range []struct {
		name, address, says string
		a                   *Assistant
	}{
		{"empty", "", "Type the service's address", a},
		{"plain-http", "http://accounts.example.com", "https", a},
		{"not-a-url", "https://", "not a web address", a},
		{"not-onramp", notOnramp.URL, "not an Onramp account service", a},
		{"unreachable", closed, "cannot be reached", a},
		{"untrusted-key", d.URL, "does not trust the key", untrusting},
	} {
		t.Run(tt.name, func(t *testing.T) {
			act(tt.a, func() { tt.a.first.address.SetText(tt.address) })
			tap(tt.a, tt.a.first.connect)
			if got := tt.a.first.err.Text(); !strings.Contains(got, tt.says) {
				t.Fatalf("%q: error %q, want %q", tt.address, got, tt.says)
			}
			if tt.a.signin != nil {
				t.Fatal("went on to the sign-in")
			}
		})
	}

	// The real service: Enter in the field goes on.
	act(a, func() { a.first.address.SetText(d.URL) })
	act(a, func() { a.first.address.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	if a.signin == nil {
		t.Fatalf("the service's sign-in did not open: %q", a.first.err.Text())
	}
	host := strings.TrimPrefix(d.URL, "http://")
	if text := labelsText(a.win.Content()); !strings.Contains(text, "Service: "+host) {
		t.Fatalf("the service in use is not on screen: %q", text)
	}
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	if len(*saved) != 1 || (*saved)[0] != d.URL+" "+d.ManagerID {
		t.Fatalf("saved sessions %q, want the one signed in", *saved)
	}
	if text := labelsText(a.win.Content()); !strings.Contains(text, "Service: "+host) {
		t.Fatalf("the service in use is not on the main screen: %q", text)
	}
	tap(a, a.topBarSignOut())
	if len(*saved) != 2 || (*saved)[1] != "forgotten" || a.me != nil {
		t.Fatalf("sign-out: sessions %q, signed in %v", *saved, a.me != nil)
	}
}

// "Try the demo" is on the first screen only in a build with the demo,
// and opens the demo's sign-in with its credentials.
func TestFirstRunTryTheDemo(t *testing.T) {
	a, _ := firstRunWindow(t, catalog.NewKeyring())
	if a.first.demo != nil {
		t.Fatal("a build without the demo offers it")
	}
	d := startDemoService(t)
	a, saved := firstRunWindow(t, catalog.NewKeyring(), func(c *Config) {
		c.TryDemo = func(context.Context) (*DemoService, error) {
			client, err := account.NewWithTokens(d.URL, account.NewMemoryTokenStore())
			if err != nil {
				return nil, err
			}
			return &DemoService{Client: client, CLI: "assistant --demo",
				OpenCatalog: func(signed []byte) (*catalog.Catalog, error) {
					v, err := catalog.NewKeyring(assets.DemoPublicKey()).Open(signed, time.Now())
					if err != nil {
						return nil, err
					}
					return catalog.Parse(v.Payload)
				},
				Demo: &Demo{Company: d.Company, UserID: d.ManagerID, Password: d.TempPassword, StartEmail: d.StartEmail}}, nil
		}
	})
	if a.first.demo == nil {
		t.Fatal("no Try the demo link in a build with the demo")
	}
	tap(a, a.first.demo)
	if a.signin == nil || !strings.Contains(labelsText(a.win.Content()), d.ManagerID) {
		t.Fatal("the demo's sign-in with its credentials did not open")
	}
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	if len(*saved) != 0 {
		t.Fatalf("the demo's session was saved: %q", *saved)
	}
}

// An onramp:// link's service and user ID: the sign-in opens with both,
// the keyboard on the password.
func TestSignInLinkFillsTheSignIn(t *testing.T) {
	d := startDemoService(t)
	a, _ := firstRunWindow(t, catalog.NewKeyring(assets.DemoPublicKey()), func(c *Config) {
		c.Client, _ = c.Connect(d.URL)
		c.SignInUser = d.ManagerID
	})
	if a.signin == nil || a.signin.user.Text != d.ManagerID || a.cfg.Client.Server() != d.URL {
		t.Fatalf("the sign-in is not filled from the link")
	}
	if a.win.Canvas().Focused() != fyne.Focusable(a.signin.password) {
		t.Error("the keyboard is not on the password")
	}
	typeText(a, a.signin.password, d.TempPassword)
	tap(a, a.signin.signIn)
	if a.signin.changeBox.Hidden {
		t.Fatalf("the link's user did not sign in: %q", a.signin.signInErr.Text())
	}
}

// topBarSignOut is the Sign out button of the top bar.
func (a *Assistant) topBarSignOut() *button {
	var found *button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if b, ok := o.(*button); ok && b.Text == "Sign out" {
			found = b
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, child := range c.Objects {
				walk(child)
			}
		}
	}
	walk(a.win.Content())
	return found
}

// With a publisher profile, the window opens straight on its service's
// sign-in, names the publisher and the host, and gives the publisher's
// support before sign-in.
func TestProfileOpensOnItsService(t *testing.T) {
	d := startDemoService(t)
	a, _ := firstRunWindow(t, catalog.NewKeyring(assets.DemoPublicKey()), func(c *Config) {
		c.Client, _ = c.Connect(d.URL)
		c.Publisher = "Northwind Software"
		c.Support = &profile.Support{Email: "help@northwind.example", Hours: "Mon-Fri 9:00-18:00"}
	})
	if a.signin == nil || a.first != nil {
		t.Fatal("a profile's window does not open on the sign-in")
	}
	host := strings.TrimPrefix(d.URL, "http://")
	act(a, func() { a.signin.help.Open(0) })
	text := labelsText(a.win.Content())
	for _, want := range []string{"Service: Northwind Software (" + host + ")", "Support of Northwind Software", "help@northwind.example", "Mon-Fri 9:00-18:00"} {
		if !strings.Contains(text, want) {
			t.Errorf("the screen does not show %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Use another service") {
		t.Error("a profile's window offers another service")
	}
}

// A link to a service nothing configured names opens the first screen
// with its address and a warning: nothing is sent to it until the person
// presses Continue, then its sign-in opens with the user ID filled in.
func TestLinkToAnUnknownServiceAsksFirst(t *testing.T) {
	d := startDemoService(t)
	connects := 0
	a, saved := firstRunWindow(t, catalog.NewKeyring(assets.DemoPublicKey()), func(c *Config) {
		connect := c.Connect
		c.Connect = func(server string) (*account.Client, error) { connects++; return connect(server) }
		c.LinkServer, c.SignInUser = d.URL, d.ManagerID
	})
	if a.first == nil || a.signin != nil || connects != 0 {
		t.Fatalf("the link went past the first screen (%d connections)", connects)
	}
	host := strings.TrimPrefix(d.URL, "http://")
	if a.first.address.Text != d.URL || a.first.warning == nil ||
		!strings.Contains(a.first.warning.Text(), "This link asks you to sign in to "+host+". Continue only if your company uses this service.") {
		t.Fatalf("address %q, warning %v", a.first.address.Text, a.first.warning)
	}
	tap(a, a.first.connect)
	if a.signin == nil || a.signin.user.Text != d.ManagerID || len(*saved) != 0 {
		t.Fatalf("after Continue: sign-in %v, saved %q", a.signin != nil, *saved)
	}
}

// With a publisher profile, a link to another service is said and not
// used: the window stays on the profile's service.
func TestLinkToAnotherServiceThanTheProfileIsRefused(t *testing.T) {
	d := startDemoService(t)
	a, _ := firstRunWindow(t, catalog.NewKeyring(assets.DemoPublicKey()), func(c *Config) {
		c.Client, _ = c.Connect(d.URL)
		c.Publisher, c.RefusedLink = "Northwind", "https://attacker.example"
	})
	host := strings.TrimPrefix(d.URL, "http://")
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no message about the link")
	}
	if text := labelsText(top); !strings.Contains(text, "sign in to attacker.example, but this Onramp is set up for "+host) {
		t.Fatalf("message %q", text)
	}
	if a.signin == nil || a.cfg.Client.Server() != d.URL || a.signin.user.Text != "" {
		t.Fatal("the window left the profile's service")
	}
}

// Signing out with the service gone still forgets the session here, and
// says the service could not be told; a keyring that could not forget the
// session keeps the session file, so that signing out again finishes.
func TestSignOutFollowsTheCommandLinesRules(t *testing.T) {
	d := startDemoService(t)
	a, saved := firstRunWindow(t, catalog.NewKeyring(assets.DemoPublicKey()), func(c *Config) { c.Client, _ = c.Connect(d.URL) })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	d.Close()
	tap(a, a.topBarSignOut())
	if len(*saved) != 2 || (*saved)[1] != "forgotten" || a.me != nil {
		t.Fatalf("sign-out: sessions %q, signed in %v", *saved, a.me != nil)
	}
	top := a.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(labelsText(top), "the account service could not be told") {
		t.Fatal("the window does not say that the service could not be told")
	}

	forgotten := 0
	forget := func() error { forgotten++; return nil }
	notForgotten := fmt.Errorf("%w: the keyring is locked", account.ErrNotForgotten)
	if err := forgetSignedOut(notForgotten, forget); !errors.Is(err, account.ErrNotForgotten) || forgotten != 0 {
		t.Fatalf("keyring failure: %v, session file forgotten %d times", err, forgotten)
	}
	if text := errorText(notForgotten); !strings.Contains(text, "not fully signed out") {
		t.Errorf("keyring failure said as %q", text)
	}
	if err := forgetSignedOut(nil, forget); err != nil || forgotten != 1 {
		t.Fatalf("a clean sign-out: %v, session file forgotten %d times", err, forgotten)
	}
}
