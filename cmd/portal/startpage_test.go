package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/internal/smtptest"
)

// chromium finds Debian's chromium: a test that needs it fails in CI
// (CI=true), where it must never pass unrun, and is skipped elsewhere.
func chromium(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: this test needs a browser (.ci/deps installs Debian's chromium)")
		}
		t.Skip("chromium is not installed (.ci/deps installs it)")
	}
	return bin
}

// browse runs headless chromium on url with extra flags and returns what it
// printed (the DOM with --dump-dom).
func browse(t testing.TB, bin, url string, flags ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	home := t.TempDir()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + filepath.Join(home, "profile")}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, stderr.String())
	}
	return stdout.String()
}

// freeAddr is a loopback address nothing listens on, for a service whose
// public URL must be known before it starts.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The publisher's whole path to a person's browser: `portal serve
// --public-url` with a profile and a release folder, `contract create`,
// the start email over SMTP, and its link opened by a real browser, with
// JavaScript on and off, in English and in French.
func TestStartEmailOpensStartPage(t *testing.T) {
	browser := chromium(t)
	bin := buildPortal(t)
	cat, key := signedCatalog(t)
	smtpAddr, maildir := smtptest.Start(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "onramp.db")

	releases := filepath.Join(dir, "release")
	files := map[string]string{"linux-amd64/Onramp": "the Linux window", "linux-amd64/assistant": "the Linux command line",
		"linux-amd64/portal": "the service", "windows-amd64/Onramp.exe": "the Windows window", "windows-amd64/assistant.exe": "the Windows command line",
		"darwin-arm64/Onramp.dmg": "the macOS disk image"}
	var sums strings.Builder
	for name, content := range files {
		path := filepath.Join(releases, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, []byte(content), 0o755)
		sum := sha256.Sum256([]byte(content))
		fmt.Fprintf(&sums, "%x  %s\n", sum, name)
	}
	os.WriteFile(filepath.Join(releases, "SHA256SUMS"), []byte(sums.String()), 0o644)

	addr := freeAddr(t)
	public := "http://" + addr
	profile := filepath.Join(dir, "profile.json")
	os.WriteFile(profile, []byte(`{"publisher": "Acme Software", "service_url": "`+public+`", "catalog_keys": [],
		"support": {"web": "https://help.acme.example", "email": "help@acme.example", "phone": "+33 1 23 45 67 89", "hours": "9:00-18:00 CET"}}`), 0o644)
	serveArgs := []string{"--db", db, "--catalog", cat, "--key", key, "--addr", addr, "--smtp", smtpAddr,
		"--profile", profile, "--releases", releases}

	// The operator starts the service once with its public URL...
	first := startReplica(t, bin, append(serveArgs, "--public-url", public)...)
	first.cmd.Process.Kill()
	first.cmd.Wait()
	// ...every later command, and every later start, finds it in the database.
	var out strings.Builder
	if err := run(context.Background(), []string{"contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", "Bureau d'Études Lefèvre",
		"--manager", "ana@lefevre.example", "--product", "atlas:5"}, &out); err != nil {
		t.Fatal(err)
	}
	uid := regexp.MustCompile(`manager (U\w+)`).FindStringSubmatch(out.String())[1]
	srv := startReplica(t, bin, serveArgs...)
	if srv.url != public {
		t.Fatalf("serving %s, want %s", srv.url, public)
	}
	select {
	case <-srv.delivered:
	case <-time.After(60 * time.Second):
		t.Fatal("no email delivered in 60 s")
	}

	body := smtptest.Body(t, maildir, "Start using")
	// `contract create` read no profile file: the contacts come from the
	// profile the first `serve --profile` stored in the database.
	if !strings.Contains(body, "Support: https://help.acme.example\n") || !strings.Contains(body, "Support email: help@acme.example\n") {
		t.Errorf("the start email lacks the profile's support contacts:\n%s", body)
	}
	m := regexp.MustCompile(`(?m)^Start page: (\S+)$`).FindStringSubmatch(body)
	if m == nil || !strings.HasPrefix(m[1], public+"/start?t=") {
		t.Fatalf("the start email's link does not start with the public URL %s:\n%s", public, body)
	}
	link := m[1]
	temp := regexp.MustCompile(`(?m)^Temporary password: (\S+)$`).FindStringSubmatch(body)[1]
	if strings.Contains(link, temp) {
		t.Fatal("the link carries the temporary password")
	}

	goos := runtime.GOOS
	for _, js := range []string{"on", "off"} {
		var dom string
		if js == "off" {
			dom = domWithoutScripts(t, browser, link)
		} else {
			dom = browse(t, browser, link, "--dump-dom")
		}
		for _, want := range []string{
			`<strong id="user-id">` + uid + `</strong>`,
			"Bureau d'Études Lefèvre",
			`href="onramp://signin?server=` + strings.ReplaceAll(strings.ReplaceAll(public, ":", "%3A"), "/", "%2F") + `&amp;user=` + uid + `"`,
			`class="platform yours" id="platform-` + goos + `"`,
			"help@acme.example",
			"Acme Software",
		} {
			if !strings.Contains(dom, want) {
				t.Errorf("JavaScript %s: the page lacks %q\n%s", js, want, dom)
			}
		}
		// The download for this OS is the first one listed, with its SHA-256.
		dl := regexp.MustCompile(`href="downloads/([a-z]+)-[a-z0-9]+/([^"]+)"`).FindStringSubmatch(dom)
		if dl == nil || dl[1] != goos {
			t.Errorf("JavaScript %s: the first download is not for %s: %v", js, goos, dl)
		}
		sum := sha256.Sum256([]byte("the Linux window"))
		if goos == "linux" && !strings.Contains(dom, hex.EncodeToString(sum[:])) {
			t.Errorf("JavaScript %s: the page lacks the SHA-256 of Onramp for Linux", js)
		}
		if strings.Contains(dom, temp) || strings.Contains(dom, "downloads/linux-amd64/portal") {
			t.Errorf("JavaScript %s: the page shows the password or offers the service itself", js)
		}
	}
	// The page speaks the contract's language (English here), whatever
	// the browser asks; the reader may switch.
	if dom := browse(t, browser, link, "--dump-dom", "--accept-lang=fr-FR,fr"); !strings.Contains(dom, "Open in Onramp") || !strings.Contains(dom, `lang="en"`) {
		t.Errorf("a French browser on an English contract's page gets:\n%s", dom)
	}
	if dom := browse(t, browser, link+"&lang=fr", "--dump-dom"); !strings.Contains(dom, "Ouvrir dans Onramp") || !strings.Contains(dom, `lang="fr"`) {
		t.Errorf("the page switched to French gets:\n%s", dom)
	}
	// The downloaded file is the one listed.
	if got := string(fetch(t, public+"/downloads/linux-amd64/Onramp")); got != "the Linux window" {
		t.Errorf("download: %q", got)
	}
	// A guessed token learns nothing.
	if dom := browse(t, browser, public+"/start?t="+strings.Repeat("A", 43), "--dump-dom"); strings.Contains(dom, uid) || !strings.Contains(dom, `id="bad-link"`) {
		t.Errorf("a guessed link:\n%s", dom)
	}
	if dom := domWithoutScripts(t, browser, public+"/help"); !strings.Contains(dom, "https://help.acme.example") {
		t.Errorf("help page:\n%s", dom)
	}

	// The screenshots: kept in the repository when ONRAMP_SCREENSHOTS names
	// its assets/screenshots folder (.ci/screenshots does).
	shots := os.Getenv("ONRAMP_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	for _, lang := range []string{"en", "fr"} {
		file := filepath.Join(shots, lang, "start-page.png")
		os.MkdirAll(filepath.Dir(file), 0o755)
		browse(t, browser, link+"&lang="+lang, "--screenshot="+file, "--window-size=1280,900", "--hide-scrollbars")
		if png, err := os.ReadFile(file); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("%s screenshot: %v", lang, err)
		}
	}
}

func fetch(t testing.TB, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// domWithoutScripts loads url in headless chromium with script execution
// disabled and returns the DOM. --dump-dom cannot: it reads the DOM with a
// script, and prints nothing when scripts are off; so this speaks the
// DevTools protocol over --remote-debugging-pipe (NUL-terminated JSON on
// file descriptors 3 and 4).
func domWithoutScripts(t testing.TB, bin, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	toChrome, chromeIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	chromeOut, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+filepath.Join(home, "profile"), "--remote-debugging-pipe", "about:blank")
	cmd.Env = append(os.Environ(), "HOME="+home)
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fds 3 and 4
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	fromChrome.Close()
	defer func() { chromeIn.Close(); cmd.Process.Kill(); cmd.Wait(); chromeOut.Close() }()

	type message struct {
		ID        int             `json:"id,omitempty"`
		Method    string          `json:"method,omitempty"`
		Params    any             `json:"params,omitempty"`
		SessionID string          `json:"sessionId,omitempty"`
		Result    json.RawMessage `json:"result,omitempty"`
		Error     json.RawMessage `json:"error,omitempty"`
	}
	in := bufio.NewReader(chromeOut)
	next := 0
	events := map[string]bool{}
	// send sends one command and reads until its answer, noting events.
	send := func(session, method string, params any, result any) {
		t.Helper()
		next++
		b, _ := json.Marshal(message{ID: next, Method: method, Params: params, SessionID: session})
		if _, err := chromeIn.Write(append(b, 0)); err != nil {
			t.Fatalf("%s: %v\n%s", method, err, stderr.String())
		}
		for {
			raw, err := in.ReadBytes(0)
			if err != nil {
				t.Fatalf("%s: %v\n%s", method, err, stderr.String())
			}
			var m message
			if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			if m.Method != "" {
				events[m.Method] = true
				continue
			}
			if m.ID == next {
				if m.Error != nil {
					t.Fatalf("%s: %s", method, m.Error)
				}
				if result != nil {
					json.Unmarshal(m.Result, result)
				}
				return
			}
		}
	}
	// waitEvent reads until an event arrives.
	waitEvent := func(method string) {
		t.Helper()
		for !events[method] {
			raw, err := in.ReadBytes(0)
			if err != nil {
				t.Fatalf("waiting for %s: %v\n%s", method, err, stderr.String())
			}
			var m message
			json.Unmarshal(raw[:len(raw)-1], &m)
			events[m.Method] = true
		}
	}
	var target struct {
		TargetID string `json:"targetId"`
	}
	send("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	send("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	s := attached.SessionID
	send(s, "Emulation.setScriptExecutionDisabled", map[string]any{"value": true}, nil)
	send(s, "Page.enable", nil, nil)
	load := func(url string) string {
		t.Helper()
		delete(events, "Page.loadEventFired")
		send(s, "Page.navigate", map[string]any{"url": url}, nil)
		waitEvent("Page.loadEventFired")
		var doc struct {
			Root struct {
				NodeID int `json:"nodeId"`
			} `json:"root"`
		}
		send(s, "DOM.getDocument", map[string]any{"depth": 0}, &doc)
		var html struct {
			OuterHTML string `json:"outerHTML"`
		}
		send(s, "DOM.getOuterHTML", map[string]any{"nodeId": doc.Root.NodeID}, &html)
		return html.OuterHTML
	}
	// Scripts are really off: a page's script changes nothing.
	if probe := load(`data:text/html,<p id="x">off</p><script>document.getElementById("x").textContent="on"</script>`); !strings.Contains(probe, `<p id="x">off</p>`) {
		t.Fatalf("scripts still run: %s", probe)
	}
	return load(url)
}
