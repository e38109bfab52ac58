package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

var startLinkRe = regexp.MustCompile(`(?m)^Start page: (\S+)$`)

// startLinkOf reads the newest start email to email and returns its link,
// pointed at the test server instead of the public URL.
func (p *testPortal) startLinkOf(t testing.TB, email string) (link, body string) {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out {
		if e.To == email && e.Kind == "start" {
			body = e.Body
		}
	}
	m := startLinkRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the start email has no start page link:\n%s", body)
	}
	rest, ok := strings.CutPrefix(m[1], p.svc.PublicURL+"/")
	if !ok {
		t.Fatalf("the link %q does not start with the public URL %q", m[1], p.svc.PublicURL)
	}
	return p.URL + "/" + rest, body
}

func getPage(t testing.TB, url, acceptLanguage string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// The start email's link opens a page that names the person, in their
// language, with an onramp:// link holding the service and the user ID and
// never the password; the link is the email's own token, not the user ID.
func TestStartPage(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	link, body := p.startLinkOf(t, "ana@acme.example")
	if strings.Contains(link, temp) || strings.Contains(link, uid) {
		t.Fatalf("the link %q carries the password or the user ID", link)
	}
	if !strings.Contains(body, "Temporary password: "+temp) || !strings.Contains(body, "Service address: https://127.0.0.1/signin\n") ||
		!strings.Contains(body, "Help: https://127.0.0.1/signin/help\n") || !strings.Contains(body, "Support email: support@example.com\n") {
		t.Fatalf("start email:\n%s", body)
	}
	code, h, page := getPage(t, link, "")
	if code != 200 {
		t.Fatalf("start page: %d\n%s", code, page)
	}
	for _, want := range []string{`<strong id="user-id">` + uid + `</strong>`, "Example ana@acme.example",
		`href="onramp://signin?server=https%3A%2F%2F127.0.0.1%2Fsignin&amp;user=` + uid + `"`, "Open in Onramp", `lang="en"`,
		`href="start?lang=fr&amp;t=`, "support@example.com"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, temp) {
		t.Error("the page shows the temporary password")
	}
	for k, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		"Content-Type": "text/html; charset=utf-8"} {
		if h.Get(k) != want {
			t.Errorf("%s: %q, want %q", k, h.Get(k), want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") ||
		strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
		t.Error("the page has a script or an inline style its CSP forbids")
	}

	// The start page speaks the person's language (their own, else their
	// contract's), whatever the browser asks; ?lang= wins over it.
	if _, _, en := getPage(t, link, "fr-FR,fr;q=0.9,en;q=0.8"); !strings.Contains(en, "Open in Onramp") || !strings.Contains(en, `lang="en"`) {
		t.Errorf("the start page of an English contract's user, asked in French by the browser:\n%s", en)
	}
	if _, _, fr := getPage(t, link+"&lang=fr", "en"); !strings.Contains(fr, "Ouvrir dans Onramp") || !strings.Contains(fr, `lang="fr"`) {
		t.Errorf("?lang=fr did not win:\n%s", fr)
	}
	// Pages that know nobody (help) follow the browser: French from
	// Accept-Language, weights counted; ?lang= wins over it.
	if _, _, fr := getPage(t, p.URL+"/help", "fr-FR,fr;q=0.9,en;q=0.8"); !strings.Contains(fr, `lang="fr"`) {
		t.Errorf("French help page:\n%s", fr)
	}
	if _, _, en := getPage(t, p.URL+"/help?lang=en", "fr"); !strings.Contains(en, `lang="en"`) {
		t.Error("?lang=en did not win over Accept-Language: fr")
	}
	if _, _, q := getPage(t, p.URL+"/help", "fr;q=0.2, en;q=0.9"); !strings.Contains(q, `lang="en"`) {
		t.Error("Accept-Language weights ignored")
	}
}

// A link that is not a live start token gets one neutral page, whatever
// it holds: guessing tells nothing about which users or companies exist.
func TestStartPageNeutralForBadTokens(t *testing.T) {
	p := newTestPortal(t)
	uid, _ := p.newContract(t, "ana@acme.example", "atlas")
	good, _ := p.startLinkOf(t, "ana@acme.example")
	token := good[strings.Index(good, "t=")+2:]
	bad := []string{"", uid, strings.Repeat("A", tokenLen), token[:tokenLen-1], token + "A", token[:tokenLen-1] + "%00", "../../etc/passwd"}
	var first string
	for i, tok := range bad {
		code, h, page := getPage(t, p.URL+"/start?t="+tok, "")
		if code != 404 || h.Get("Cache-Control") != "no-store" {
			t.Errorf("token %q: %d", tok, code)
		}
		if strings.Contains(page, uid) || strings.Contains(page, "acme") || !strings.Contains(page, `id="bad-link"`) {
			t.Errorf("token %q: the page says too much or too little:\n%s", tok, page)
		}
		if i == 0 {
			first = page
		} else if page != first {
			t.Errorf("token %q: a page unlike the others", tok)
		}
	}

	// A new start email replaces the old link; the new one works.
	portal.WithClock(func() time.Time { return time.Now() })(p.svc)
	m, _ := p.store.User(context.Background(), uid)
	if _, err := p.svc.SendStartEmail(context.Background(), m, uid, false); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := getPage(t, good, ""); code != 404 {
		t.Errorf("the replaced start email's link still opens the page: %d", code)
	}
	fresh, _ := p.startLinkOf(t, "ana@acme.example")
	if code, _, _ := getPage(t, fresh, ""); code != 200 {
		t.Errorf("the new start email's link: %d", code)
	}
	// It expires with the temporary password.
	portal.WithClock(func() time.Time { return time.Now().Add(portal.TemporaryPasswordTTL + time.Minute) })(p.svc)
	if code, _, page := getPage(t, fresh, ""); code != 404 || page != first {
		t.Errorf("an expired link: %d", code)
	}
	// And housekeeping deletes it.
	if n, err := p.svc.SweepTokens(context.Background()); err != nil || n == 0 {
		t.Errorf("sweep: %d %v", n, err)
	}
	var left int
	rawDB(t, p).QueryRow(`SELECT count(*) FROM page_tokens`).Scan(&left)
	if left != 0 {
		t.Errorf("%d page tokens left after their expiry's sweep", left)
	}
}

// Users added by an admin get a start email whose link opens their page.
func TestStartPageForImportedUser(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "mgr@acme.example", "atlas", "quill")
	mgr := p.activate(t, uid, temp)
	if code, out := p.importCSV(t, mgr, goodCSV, false); code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	link, _ := p.startLinkOf(t, "bo@acme.example")
	if code, _, page := getPage(t, link, ""); code != 200 || !strings.Contains(page, "Example mgr@acme.example") {
		t.Fatalf("imported user's start page: %d\n%s", code, page)
	}
}

// The help page is public and shows the operator's support contacts, or
// says plainly that there are none: never a placeholder.
func TestHelpPage(t *testing.T) {
	p := newTestPortal(t)
	code, h, page := getPage(t, p.URL+"/help", "")
	if code != 200 || h.Get("Content-Security-Policy") == "" || !strings.Contains(page, "12 to 24 hours") ||
		!strings.Contains(page, `href="https://support.example.com"`) || !strings.Contains(page, "mailto:support@example.com") {
		t.Fatalf("help: %d\n%s", code, page)
	}
	if strings.Contains(page, "+1 555 0100") {
		t.Error("the public page shows the designated callers' phone number")
	}
	portal.WithProfile(portal.Profile{})(p.svc)
	_, _, page = getPage(t, p.URL+"/help", "fr")
	if !strings.Contains(page, "configuré aucun contact de support") || strings.Contains(page, "onramp.dev") || strings.Contains(page, "example.com") {
		t.Fatalf("help without contacts:\n%s", page)
	}
	if code, _, _ := getPage(t, p.URL+"/", ""); code != 200 {
		t.Errorf("/ does not lead to help: %d", code)
	}
}

// Support contacts come from the publisher profile; without one, nothing
// is invented.
func TestSupportFromProfile(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "mgr@acme.example", "atlas")
	tok := p.activate(t, uid, temp)
	portal.WithProfile(portal.Profile{})(p.svc)
	var sup portal.Support
	if code := p.call(t, "GET", "/api/v1/support", tok, nil, &sup); code != 200 || sup.Web != "" || sup.Email != "" || sup.Phone != "" ||
		!strings.Contains(sup.Note, "no support contact") {
		t.Fatalf("support without a profile: %d %+v", code, sup)
	}
	portal.WithProfile(portal.Profile{Support: portal.ProfileSupport{Web: "https://help.acme.example", Email: "help@acme.example", Hours: "9-5"}})(p.svc)
	if p.call(t, "GET", "/api/v1/support", tok, nil, &sup); sup.Web != "https://help.acme.example" || sup.Email != "help@acme.example" || sup.Hours != "9-5" {
		t.Fatalf("support from the profile: %+v", sup)
	}
}

func TestPageTextComplete(t *testing.T) {
	for key := range pageText["en"] {
		if pageText["fr"][key] == "" {
			t.Errorf("fr lacks %q", key)
		}
	}
	for key := range pageText["fr"] {
		if pageText["en"][key] == "" {
			t.Errorf("en lacks %q", key)
		}
	}
}

// writeRelease lays out a release folder as the release build does.
func writeRelease(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	var sums strings.Builder
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(content))
		sums.WriteString(hex.EncodeToString(sum[:]) + "  " + name + "\n")
	}
	os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(sums.String()), 0o644)
}

// The start page lists each release file with its SHA-256, the visitor's
// OS first, and serves exactly those files.
func TestReleasesOnStartPage(t *testing.T) {
	dir := t.TempDir()
	writeRelease(t, dir, map[string]string{"linux-amd64/Onramp": "linux window", "linux-amd64/assistant": "linux cli",
		"linux-amd64/portal": "the service", "windows-amd64/Onramp.exe": "windows window", "windows-amd64/assistant.exe": "windows cli"})
	rel, err := portal.LoadReleases(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Files) != 4 {
		t.Fatalf("files %+v (the portal is no download for a person)", rel.Files)
	}
	p := newTestPortal(t)
	portal.WithReleases(rel)(p.svc)
	p.newContract(t, "ana@acme.example", "atlas")
	link, _ := p.startLinkOf(t, "ana@acme.example")
	_, _, page := getPage(t, link, "") // a Windows User-Agent
	win := strings.Index(page, `id="platform-windows"`)
	lin := strings.Index(page, `id="platform-linux"`)
	if win < 0 || lin < 0 || win > lin || !strings.Contains(page, `class="platform yours" id="platform-windows"`) {
		t.Fatalf("Windows is not first and highlighted:\n%s", page)
	}
	sum := sha256.Sum256([]byte("windows window"))
	if !strings.Contains(page, hex.EncodeToString(sum[:])) || !strings.Contains(page, `href="downloads/windows-amd64/Onramp.exe"`) {
		t.Fatalf("the page lacks Onramp.exe and its SHA-256:\n%s", page)
	}
	if code, h, got := getPage(t, p.URL+"/downloads/windows-amd64/Onramp.exe", ""); code != 200 || got != "windows window" ||
		!strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q %v", code, got, h)
	}
	req, _ := http.NewRequest("GET", p.URL+"/downloads/linux-amd64/Onramp", nil)
	req.Header.Set("Range", "bytes=6-")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 206 {
		t.Fatalf("range: %v %v", resp, err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "window" {
			t.Fatalf("range body %q", b)
		}
	}
	for _, path := range []string{"/downloads/linux-amd64/portal", "/downloads/linux-amd64/SHA256SUMS", "/downloads/linux-amd64/..%2fSHA256SUMS", "/downloads/x/Onramp"} {
		if code, _, _ := getPage(t, p.URL+path, ""); code != 404 {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}

	// A file that differs from SHA256SUMS is refused, not listed.
	os.WriteFile(filepath.Join(dir, "linux-amd64", "Onramp"), []byte("tampered"), 0o755)
	if _, err := portal.LoadReleases(dir); !errors.Is(err, portal.ErrBadReleases) || !strings.Contains(err.Error(), "linux-amd64/Onramp") {
		t.Fatalf("tampered file: %v", err)
	}
	if _, err := portal.LoadReleases(t.TempDir()); !errors.Is(err, portal.ErrBadReleases) {
		t.Fatalf("empty folder: %v", err)
	}
}

func TestPlatformOf(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36":                "windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15":           "darwin",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120":       "linux",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36":                 "",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15": "",
		"": "",
	} {
		if got := platformOf(ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
}
