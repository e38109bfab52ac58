package main

import (
	"os"
	"os/exec"
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
