package web

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// A release download longer than WriteTimeout completes while the client
// keeps reading, as a package download does: a large installer on a slow
// link is not cut.
func TestLongReleaseDownloadOutlivesWriteTimeout(t *testing.T) {
	const size = 24 << 20
	dir := t.TempDir()
	writeRelease(t, dir, map[string]string{"windows-amd64/Onramp.exe": string(make([]byte, size))})
	rel, err := portal.LoadReleases(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := serveWith(t, ServerOptions{WriteTimeout: 500 * time.Millisecond}, nil)
	portal.WithReleases(rel)(p.svc)
	resp, err := http.Get(p.URL + "/downloads/windows-amd64/Onramp.exe")
	if err != nil {
		t.Fatal(err)
	}
	readSlowly(t, resp, size)
}

// A release file replaced after the service hashed it is refused, and the
// refusal logged: served, it would go out under the old SHA-256 and ETag.
func TestReplacedReleaseFileRefused(t *testing.T) {
	dir := t.TempDir()
	writeRelease(t, dir, map[string]string{"linux-amd64/Onramp": "linux window", "linux-amd64/assistant": "linux cli"})
	rel, err := portal.LoadReleases(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	p := newTestPortal(t)
	portal.WithReleases(rel)(p.svc)
	portal.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil)))(p.svc)
	if code, _, got := getPage(t, p.URL+"/downloads/linux-amd64/Onramp", ""); code != 200 || got != "linux window" {
		t.Fatalf("before: %d %q", code, got)
	}
	// Same size, another content, a later time: only size and time tell.
	path := filepath.Join(dir, "linux-amd64", "Onramp")
	if err := os.WriteFile(path, []byte("evil window!"), 0o755); err != nil {
		t.Fatal(err)
	}
	later := rel.Files[0].ModTime().Add(time.Second)
	os.Chtimes(path, later, later)
	code, _, got := getPage(t, p.URL+"/downloads/linux-amd64/Onramp", "")
	if code != http.StatusServiceUnavailable || strings.Contains(got, "evil") {
		t.Fatalf("replaced file: %d %q, want 503", code, got)
	}
	if !strings.Contains(string(logs.bytes()), "linux-amd64/Onramp") {
		t.Errorf("the refusal is not logged: %s", logs.bytes())
	}
	if code, _, got := getPage(t, p.URL+"/downloads/linux-amd64/assistant", ""); code != 200 || got != "linux cli" {
		t.Fatalf("an unchanged file: %d %q", code, got)
	}
}

// Only files SHA256SUMS lists are offered: a file dropped into the folder
// after the release build has no hash to check against. The Linux install
// script and its icon are labelled for what they are, not "command line".
func TestReleasesOnlyListedFiles(t *testing.T) {
	dir := t.TempDir()
	writeRelease(t, dir, map[string]string{"linux-amd64/Onramp": "w", "linux-amd64/assistant": "c",
		"linux-amd64/install.sh": "#!/bin/sh", "linux-amd64/onramp.png": "png"})
	os.WriteFile(filepath.Join(dir, "linux-amd64", "extra"), []byte("unlisted"), 0o755)
	rel, err := portal.LoadReleases(dir)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range rel.Files {
		kinds[f.Name] = f.Kind
	}
	want := map[string]string{"Onramp": "window", "assistant": "cli", "install.sh": "script", "onramp.png": "icon"}
	if len(kinds) != len(want) {
		t.Fatalf("offered %v, want %v (no unlisted file)", kinds, want)
	}
	for name, k := range want {
		if kinds[name] != k {
			t.Errorf("%s: kind %q, want %q", name, kinds[name], k)
		}
	}
	p := newTestPortal(t)
	portal.WithReleases(rel)(p.svc)
	if code, _, _ := getPage(t, p.URL+"/downloads/linux-amd64/extra", ""); code != 404 {
		t.Errorf("unlisted file: %d, want 404", code)
	}
	p.newContract(t, "ana@acme.example", "atlas")
	link, _ := p.startLinkOf(t, "ana@acme.example")
	_, _, page := getPage(t, link, "")
	if !strings.Contains(page, "Linux install script") || !strings.Contains(page, "Icon, used by the Linux install script") {
		t.Errorf("the page does not say what install.sh and onramp.png are:\n%s", page)
	}

	os.Remove(filepath.Join(dir, "SHA256SUMS"))
	if _, err := portal.LoadReleases(dir); err == nil || !strings.Contains(err.Error(), "SHA256SUMS") {
		t.Errorf("a folder without SHA256SUMS: %v", err)
	}
}
