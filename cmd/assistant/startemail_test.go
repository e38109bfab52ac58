//go:build !nogui

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli"
	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/internal/smtptest"
	"onramp.dev/onramp/internal/testbin"
	"onramp.dev/onramp/ui"
)

// A person's whole path, from the publisher's service to a window that
// remembers them: `portal serve --public-url` with a publisher profile and
// a release folder; `contract create`; the start email over SMTP; its
// start page over HTTP, whose onramp:// link is handed to Onramp as the OS
// hands it (the link alone); the window opens on that service's sign-in
// with the user ID filled in; the person signs in with the temporary
// password and chooses their own; a new window on the same home folder
// resumes the session on that service without asking. The catalog's key
// is trusted through the profile alone, and no demo shows anywhere.
func TestStartEmailToSignedInWindow(t *testing.T) {
	sessiontest.RequireBus(t)
	portalBin := testbin.Once(t, "../portal")
	smtpAddr, maildir := smtptest.Start(t)
	work := t.TempDir()

	// The publisher: a signing key, a signed catalog, a profile naming the
	// service and trusting the key, a release folder.
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := os.ReadFile("../../catalog/testdata/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	// The publisher's own catalog: nothing in it speaks of a demo.
	payload = bytes.ReplaceAll(payload, []byte("Onramp demo publisher"), []byte("Acme Software"))
	signed, err := catalog.Sign(payload, time.Now(), 24*time.Hour, priv)
	if err != nil {
		t.Fatal(err)
	}
	cat, key := filepath.Join(work, "catalog.signed.json"), filepath.Join(work, "publisher.pub")
	writeTestFile(t, cat, signed)
	writeTestFile(t, key, []byte(catalog.FormatPublicKey(pub)))
	addr := unusedLoopbackAddr(t)
	public := "http://" + addr
	prof := filepath.Join(work, "profile.json")
	writeTestFile(t, prof, []byte(`{"publisher": "Acme Software", "service_url": "`+public+`", "catalog_keys": ["`+catalog.FormatPublicKey(pub)+`"],
		"support": {"email": "help@acme.example", "hours": "9:00-18:00 CET"}}`))
	releases := filepath.Join(work, "release")
	writeTestFile(t, filepath.Join(releases, "linux-amd64", "Onramp"), []byte("the Linux window"))
	sum := sha256.Sum256([]byte("the Linux window"))
	writeTestFile(t, filepath.Join(releases, "SHA256SUMS"), []byte(hex.EncodeToString(sum[:])+"  linux-amd64/Onramp\n"))
	db := filepath.Join(work, "onramp.db")

	// The operator: the public URL kept once for every command, the
	// contract (its start email waits in the outbox), then the service,
	// which delivers the outbox as it starts.
	portalRun(t, portalBin, "settings", "set", "public-url", public, "--db", db)
	created := portalRun(t, portalBin, "contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", "Lefèvre & Fils",
		"--manager", "ana@lefevre.example", "--product", "atlas:5")
	m := regexp.MustCompile(`manager (U\w+)`).FindStringSubmatch(created)
	if m == nil {
		t.Fatalf("contract create names no manager's user ID:\n%s", created)
	}
	uid := m[1]
	serveWithPublicURL(t, portalBin, "--db", db, "--catalog", cat, "--key", key, "--addr", addr, "--public-url", public,
		"--smtp", smtpAddr, "--profile", prof, "--releases", releases)

	// The person: the start email, its link, the start page's button.
	body := smtptest.Body(t, maildir, "Start using")
	page := regexp.MustCompile(`(?m)^Start page: (\S+)$`).FindStringSubmatch(body)
	temp := regexp.MustCompile(`(?m)^Temporary password: (\S+)$`).FindStringSubmatch(body)
	if page == nil || temp == nil || !strings.HasPrefix(page[1], public+"/") {
		t.Fatalf("the start email has no start page at %s or no temporary password:\n%s", public, body)
	}
	startPage := httpGet(t, page[1])
	href := regexp.MustCompile(`href="(onramp://[^"]*)"`).FindStringSubmatch(startPage)
	if href == nil {
		t.Fatalf("the start page has no onramp:// link:\n%s", startPage)
	}
	link := html.UnescapeString(href[1])
	if strings.Contains(link, temp[1]) {
		t.Fatal("the onramp:// link carries the temporary password")
	}

	// A fresh home folder: no session, no configuration, no trusted_keys;
	// the profile is the publisher's.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv(cli.ProfileEnv, prof)
	host := strings.TrimPrefix(public, "http://")
	serviceLabel := func() string {
		return lang.L("Service: {{.Name}}", map[string]any{"Name": "Acme Software (" + host + ")"})
	}

	// The OS starts Onramp with the link as its only argument.
	newPass := "a passphrase of my own choosing"
	launch(t, []string{link}, func(w cli.Window, a *ui.Assistant) {
		if w.Client == nil || w.Client.Server() != public || w.SignInUser != uid || w.SignedIn || w.Demo != nil {
			t.Fatalf("the link opens %+v; want the sign-in of %s for %s", w, public, uid)
		}
		user := entryWithPlaceHolder(t, a, lang.L("User ID, from the start email"))
		if user.Text != uid {
			t.Fatalf("the user ID field holds %q, want %q", user.Text, uid)
		}
		if text := screenText(a); !strings.Contains(text, serviceLabel()) {
			t.Errorf("the sign-in does not say %q:\n%s", serviceLabel(), text)
		}
		if f, _ := a.Window().Canvas().Focused().(fyne.CanvasObject); f == nil || asEntry(f) != entryWithPlaceHolder(t, a, lang.L("Password")) {
			t.Error("the keyboard is not on the password")
		}
		typeInto(a, entryWithPlaceHolder(t, a, lang.L("Password")), temp[1])
		tapButton(t, a, lang.L("Sign in"))
		typeInto(a, entryWithPlaceHolder(t, a, lang.L("New password (12 characters or more)")), newPass)
		typeInto(a, entryWithPlaceHolder(t, a, lang.L("New password again")), newPass)
		tapButton(t, a, lang.L("Set my password"))
		signedInScreen(t, a, serviceLabel())
	})
	if _, err := os.Stat(filepath.Join(home, ".config", "Onramp", "config.json")); err == nil {
		t.Error("the sign-in wrote a configuration: the catalog key must come from the profile alone")
	}

	// A new window on the same home folder, started plainly, resumes the
	// session (its token in the keyring) without asking.
	launch(t, nil, func(w cli.Window, a *ui.Assistant) {
		if !w.SignedIn || w.Client == nil || w.Client.Server() != public || w.Client.User() != uid || w.Demo != nil {
			t.Fatalf("a new window: %+v; want the session of %s on %s, resumed", w, uid, public)
		}
		for _, ph := range []string{lang.L("User ID, from the start email"), lang.L("Password")} {
			if e := findEntry(a, ph); e != nil {
				t.Errorf("a resumed window asks again: the field %q is on screen", ph)
			}
		}
		signedInScreen(t, a, serviceLabel())
	})
}

// launch runs Onramp as the OS starts it, with args alone, through the
// command line's gui command, and hands the window it opens, on Fyne's
// test driver, to drive; the window closes when drive returns.
func launch(t *testing.T, args []string, drive func(cli.Window, *ui.Assistant)) {
	t.Helper()
	opened := false
	gui := func(ctx context.Context, w cli.Window) error {
		opened = true
		a := ui.New(test.NewTempApp(t), windowConfig(w))
		defer a.Window().Close()
		a.Wait() // a resumed session loads its account first
		a.Window().Resize(fyne.NewSize(1000, 700))
		drive(w, a)
		return nil
	}
	var out, errb bytes.Buffer
	if code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb, gui); code != 0 || !opened {
		t.Fatalf("Onramp %q: exit %d, window opened: %v\n%s%s", args, code, opened, out.String(), errb.String())
	}
	if s := out.String() + errb.String(); strings.Contains(strings.ToLower(s), "demo") {
		t.Errorf("Onramp %q speaks of a demo:\n%s", args, s)
	}
}

// signedInScreen checks the window is signed in to the publisher's
// service with the catalog verified: the products, a way to sign out, the
// service named; never a demo.
func signedInScreen(t *testing.T, a *ui.Assistant, service string) {
	t.Helper()
	text := screenText(a)
	for _, want := range []string{service, lang.L("Sign out"), "Atlas CAD"} {
		if !strings.Contains(text, want) {
			t.Errorf("the signed-in window does not show %q:\n%s", want, text)
		}
	}
	if lower := strings.ToLower(text); strings.Contains(lower, "demo") || strings.Contains(lower, "démo") {
		t.Errorf("the window shows a demo:\n%s", text)
	}
}

// serveWithPublicURL starts `portal serve` and waits until it has
// delivered the outbox over SMTP.
func serveWithPublicURL(t *testing.T, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	delivered := make(chan bool, 1)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "mail: delivered") {
				select {
				case delivered <- true:
				default:
				}
			}
		}
		cmd.Wait()
	}()
	select {
	case <-delivered:
	case <-exited:
		t.Fatalf("portal serve exited: %s", stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("portal serve delivered no email in 60 s: %s", stderr.String())
	}
}

// portalRun runs one portal command and returns its output.
func portalRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("portal %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// visible walks the objects on show, into widgets' renderers, as a
// person sees them.
func visible(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, child := range w.Objects {
			visible(child, f)
		}
	case *widget.Entry, *widget.Label, *widget.Hyperlink:
		// their renderers hold their text again
	case fyne.Widget:
		if asEntry(o) != nil {
			return // the window's own field type: its renderer holds its text again
		}
		if _, ok := buttonText(o); ok {
			return
		}
		for _, child := range test.WidgetRenderer(w).Objects() {
			visible(child, f)
		}
	}
}

// screenText is the text of every label, rich text, hyperlink, button and
// entry on show.
func screenText(a *ui.Assistant) string {
	var b strings.Builder
	visible(a.Window().Content(), func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.RichText:
			b.WriteString(w.String() + "\n")
		case *widget.Hyperlink:
			b.WriteString(w.Text + "\n")
		case *widget.Card:
			b.WriteString(w.Title + "\n" + w.Subtitle + "\n")
		default:
			if e := asEntry(o); e != nil {
				if !e.Password {
					b.WriteString(e.Text + "\n")
				}
			} else if text, ok := buttonText(o); ok {
				b.WriteString(text + "\n")
			}
		}
	})
	return b.String()
}

// buttonText is the text of a button: a widget.Button, or the window's
// own button type, which embeds one.
func buttonText(o fyne.CanvasObject) (string, bool) {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return "", false
	}
	b := v.Elem().FieldByName("Button")
	if v.Elem().Type() == reflect.TypeOf(widget.Button{}) {
		b = v.Elem()
	}
	if !b.IsValid() || b.Type() != reflect.TypeOf(widget.Button{}) {
		return "", false
	}
	return b.FieldByName("Text").String(), true
}

// asEntry is a text field: a widget.Entry, or the window's own field
// type, which embeds one (and scrolls itself into view when focused).
func asEntry(o fyne.CanvasObject) *widget.Entry {
	if e, ok := o.(*widget.Entry); ok {
		return e
	}
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Entry")
	if !f.IsValid() || f.Type() != reflect.TypeOf(widget.Entry{}) {
		return nil
	}
	return f.Addr().Interface().(*widget.Entry)
}

func findEntry(a *ui.Assistant, placeHolder string) *widget.Entry {
	var found *widget.Entry
	visible(a.Window().Content(), func(o fyne.CanvasObject) {
		if e := asEntry(o); e != nil && e.PlaceHolder == placeHolder {
			found = e
		}
	})
	return found
}

func entryWithPlaceHolder(t *testing.T, a *ui.Assistant, placeHolder string) *widget.Entry {
	t.Helper()
	e := findEntry(a, placeHolder)
	if e == nil {
		t.Fatalf("no field %q on screen:\n%s", placeHolder, screenText(a))
	}
	return e
}

// tapButton taps the enabled button labelled text on show, and waits for
// what it started.
func tapButton(t *testing.T, a *ui.Assistant, text string) {
	t.Helper()
	var found fyne.Tappable
	visible(a.Window().Content(), func(o fyne.CanvasObject) {
		if s, ok := buttonText(o); ok && s == text {
			if d, ok := o.(fyne.Disableable); !ok || !d.Disabled() {
				found, _ = o.(fyne.Tappable)
			}
		}
	})
	if found == nil {
		t.Fatalf("no button %q on screen:\n%s", text, screenText(a))
	}
	fyne.DoAndWait(func() { test.Tap(found) })
	a.Wait()
}

// typeInto types into a field as a person does, key by key.
func typeInto(a *ui.Assistant, e *widget.Entry, s string) {
	fyne.DoAndWait(func() { test.Type(e, s) })
	a.Wait()
}
