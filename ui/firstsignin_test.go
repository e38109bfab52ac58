package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
)

// askNewPassword signs in with the temporary password, up to the form
// that asks for a new one.
func askNewPassword(t *testing.T, a *Assistant, user, temp string) {
	t.Helper()
	s := a.signin
	typeText(a, s.user, user)
	typeText(a, s.password, temp)
	tap(a, s.signIn)
	if s.changeBox.Hidden {
		t.Fatalf("the first sign-in does not ask for a new password: %q", s.status.Text)
	}
}

// The new-password field has the keyboard as soon as it appears, and
// Enter in either new-password field submits.
func TestFirstSignInKeyboard(t *testing.T) {
	for _, field := range []string{"first", "second"} {
		t.Run("enter-in-"+field, func(t *testing.T) {
			a, d, _ := demoAssistant(t, "en")
			askNewPassword(t, a, d.ManagerID, d.TempPassword)
			s := a.signin
			if got := a.win.Canvas().Focused(); got != fyne.Focusable(s.newPass) {
				t.Fatalf("the keyboard is on %T, not the new-password field", got)
			}
			typeText(a, s.newPass, "a new and long passphrase")
			typeText(a, s.newAgain, "a new and long passphrase")
			entry := s.newPass
			if field == "second" {
				entry = s.newAgain
			}
			act(a, func() { a.win.Canvas().Focus(entry) })
			act(a, func() { entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
			a.Wait()
			if a.me == nil || a.tabs == nil {
				t.Fatalf("Enter in the %s new-password field did not set the password: status %q, error %q", field, s.status.Text, s.changeErr.Text())
			}
		})
	}
}

// A catalog that cannot be verified after the password changed leaves the
// person signed in, told what to do, with a way to try again; never on
// the password form, which would refuse the new password.
func TestFirstSignInCatalogFailureKeepsSession(t *testing.T) {
	fail := true
	a, d, _ := demoAssistant(t, "en", func(c *Config) {
		open := c.OpenCatalog
		c.OpenCatalog = func(signed []byte) (*catalog.Catalog, error) {
			if fail {
				return nil, catalog.ErrUntrustedKey
			}
			return open(signed)
		}
	})
	signInFirstTimeNoCheck(t, a, d.ManagerID, d.TempPassword)
	if text := labelsText(a.win.Content()); strings.Contains(text, "Set my password") {
		t.Fatalf("after the password changed, the window still shows the password form: %q", text)
	}
	if a.blocked == nil {
		t.Fatal("no screen says the person is signed in and what to do")
	}
	text := labelsText(a.win.Content())
	if !strings.Contains(text, d.ManagerID) || !strings.Contains(text, "does not trust") {
		t.Fatalf("the screen does not say who is signed in and why: %q", text)
	}
	fail = false
	tap(a, a.blocked.retry)
	if a.me == nil || a.tabs == nil {
		t.Fatalf("try again did not open the products: %q", labelsText(a.win.Content()))
	}
}

// signInFirstTimeNoCheck is signInFirstTime without the check that the
// products open.
func signInFirstTimeNoCheck(t *testing.T, a *Assistant, user, temp string) {
	t.Helper()
	askNewPassword(t, a, user, temp)
	s := a.signin
	typeText(a, s.newPass, "a new and long passphrase")
	typeText(a, s.newAgain, "a new and long passphrase")
	tap(a, s.change)
}

// labelsText is the text of every label, rich text and hyperlink on
// show, for tests to read the screen as a person does.
func labelsText(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.RichText:
			b.WriteString(w.String() + "\n")
		case *widget.Hyperlink:
			b.WriteString(w.Text + "\n")
		case *widget.Button:
			b.WriteString(w.Text + "\n")
		case *button:
			b.WriteString(w.Text + "\n")
		case *widget.Entry:
			b.WriteString(w.Text + "\n")
		case *entry:
			b.WriteString(w.Text + "\n")
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, child := range c.Objects {
				walk(child)
			}
			return
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, child := range test.WidgetRenderer(w).Objects() {
				walk(child)
			}
		}
	}
	walk(o)
	return b.String()
}

// A failure after the password changed on the service (here the sign-in
// with the new password: the keyring or the network) leaves the sign-in
// form asking for the new password, saying it is set; never the
// new-password form, whose "current" password no longer works.
func TestFirstSignInFailureAfterPasswordChanged(t *testing.T) {
	var signIns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/session":
			if signIns.Add(1) > 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, `{"user_id":"U1","access_token":"a","access_expires":"2099-01-01T00:00:00Z","must_change_password":true}`)
		case "/api/v1/password":
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	a, _ := firstRunWindow(t, catalog.NewKeyring(), func(c *Config) { c.Client, _ = c.Connect(srv.URL) })
	askNewPassword(t, a, "U1", "temporary password")
	s := a.signin
	typeText(a, s.newPass, "a new and long passphrase")
	typeText(a, s.newAgain, "a new and long passphrase")
	tap(a, s.change)
	if !s.changeBox.Hidden || s.formBox.Hidden {
		t.Fatal("after the password changed, the window still asks for a new one")
	}
	if !strings.Contains(s.signInErr.Text(), "Your new password is set") || s.password.Text != "" {
		t.Fatalf("the sign-in does not say the new password is set: %q", s.signInErr.Text())
	}
	if a.win.Canvas().Focused() != fyne.Focusable(s.password) {
		t.Error("the keyboard is not on the password")
	}
}
