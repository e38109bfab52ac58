package main

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// forbidden is the service code a release must not link: the account
// service, its databases, its password hashing and its mailer. The demo
// links them (-tags demo), never a release.
var forbidden = []string{
	"onramp.dev/onramp/portal",
	"onramp.dev/onramp/demo",
	"modernc.org/sqlite",
	"github.com/jackc/pgx",
	"golang.org/x/crypto/argon2",
	"net/smtp",
}

// deps lists the packages cmd/assistant links with these build tags for
// this OS, as go list sees them (no compiler run).
func deps(t *testing.T, goos, tags string) map[string]bool {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-tags", tags, ".")
	// The window links cgo (Fyne's OpenGL); the command line does not.
	cgo := "0"
	if !strings.Contains(tags, "nogui") {
		cgo = "1"
	}
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED="+cgo)
	if goos == "darwin" {
		cmd.Env = append(cmd.Env, "GOARCH=arm64")
	}
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list -deps -tags %q (GOOS=%s): %v\n%s", tags, goos, err, msg)
	}
	m := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		m[p] = true
	}
	return m
}

// linked returns the forbidden packages (or their subpackages) in deps.
func linked(deps map[string]bool) []string {
	var bad []string
	for p := range deps {
		for _, f := range forbidden {
			if p == f || strings.HasPrefix(p, f+"/") {
				bad = append(bad, p)
			}
		}
	}
	return bad
}

// The programs a release ships, assistant (-tags nogui) and Onramp (the
// default tags), link no service code on any OS; the development build
// with the demo does, which shows the test sees what it looks for.
func TestReleaseLinksNoServiceCode(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		for _, tc := range []struct{ name, tags string }{{"assistant", "nogui"}, {"Onramp", ""}} {
			t.Run(goos+"/"+tc.name, func(t *testing.T) {
				if bad := linked(deps(t, goos, tc.tags)); len(bad) > 0 {
					t.Errorf("the release %s for %s links service code: %v (the demo belongs behind -tags demo)", tc.name, goos, bad)
				}
			})
		}
	}
	t.Run("demo build", func(t *testing.T) {
		d := deps(t, "linux", "nogui,demo")
		for _, want := range []string{"onramp.dev/onramp/portal", "modernc.org/sqlite", "golang.org/x/crypto/argon2", "net/smtp"} {
			if !d[want] {
				t.Errorf("the demo build does not link %s: the list of forbidden packages no longer matches what the service links", want)
			}
		}
	})
}

// slowStart is what the command-line program must not link: every run
// (an install of ten files included) pays for it before main starts.
// text/template (and html/template, built on it) calls methods by name
// through reflection, so the linker keeps every exported method of every
// type in the program: 1.8 MB more of a 12 MB binary, read from disk at a
// cold start. x/text's name indexes of encodings (ianaindex, htmlindex)
// build their tables of every name, and the language tables they bring,
// when the program starts (73 KB, five packages, 170 KB of binary): the
// zip code pages are found by installer/archive's own list instead.
var slowStart = map[string]string{
	"text/template":                        "its reflection keeps every exported method in the binary; write the text by hand",
	"html/template":                        "its reflection keeps every exported method in the binary; write the text by hand",
	"golang.org/x/text/encoding/ianaindex": "it builds its name tables when the program starts; name the encodings needed",
	"golang.org/x/text/encoding/htmlindex": "it builds its name tables when the program starts; name the encodings needed",
	"golang.org/x/text/language":           "it builds its tables when the program starts",
}

// The command-line program links none of slowStart, on any OS.
func TestCommandLineLinksNoTemplates(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		d := deps(t, goos, "nogui")
		for p, why := range slowStart {
			if d[p] {
				t.Errorf("assistant for %s links %s: %s", goos, p, why)
			}
		}
	}
}

// The linker drops the methods nothing calls only when no reachable code
// calls a method by a name known at run time (reflect's Method and
// MethodByName with a variable): one such call, in any package, keeps
// every exported method of every type. The linker marks those functions
// <ReflectMethod> in its dependency dump; the command-line program, as
// the release builds it, has none.
func TestCommandLineKeepsDeadCodeElimination(t *testing.T) {
	if testing.Short() {
		t.Skip("links the program")
	}
	cmd := exec.Command("go", "build", "-tags", "nogui", "-ldflags=-dumpdep", "-o", filepath.Join(t.TempDir(), "assistant"), ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var dump bytes.Buffer
	cmd.Stderr = &dump
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build -ldflags=-dumpdep: %v\n%.2000s", err, dump.String())
	}
	marked := map[string]bool{}
	edges := 0
	for line := range strings.Lines(dump.String()) {
		edges++
		// "FROM -> TO", each marked "<ReflectMethod>" when it is such a function.
		for _, sym := range strings.Split(strings.TrimSpace(line), " -> ") {
			if name, ok := strings.CutSuffix(sym, " <ReflectMethod>"); ok {
				marked[name] = true
			}
		}
	}
	if edges < 1000 {
		t.Fatalf("the linker's dependency dump has %d lines: -dumpdep no longer prints it, and this test sees nothing", edges)
	}
	if len(marked) > 0 {
		t.Errorf("the linker keeps every exported method: these reachable functions call a method by a name known at run time: %v", slices.Sorted(maps.Keys(marked)))
	}
}
