package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/portal"
)

var emailChangeLink = regexp.MustCompile(`(/email-change\?t=[A-Za-z0-9_-]{43})`)

// `profile --email` asks for a change of address: the link goes to the
// new address, and the account keeps its address until the link is used.
func TestProfileEmailChange(t *testing.T) {
	sessiontest.RequireBus(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanStandard}, "test"); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "config.json")
	cli := func(stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", cfg}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	uid, temp := startEmail(t, store, "ana@acme.example")
	if r := cli(temp+"\nana's own long passphrase\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("signin: %s", r.stderr)
	}
	links := func(to string) []string {
		t.Helper()
		out, err := store.Outbox(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		var l []string
		for _, e := range out {
			if e.To == to && e.Kind == "email_change" {
				m := emailChangeLink.FindStringSubmatch(e.Body)
				if m == nil {
					t.Fatalf("no link in the email to %s:\n%s", to, e.Body)
				}
				l = append(l, m[1])
			}
		}
		return l
	}
	address := func() string {
		t.Helper()
		r := cli("", "profile")
		if r.code != 0 {
			t.Fatalf("profile: %s", r.stderr)
		}
		return r.stdout
	}

	r := cli("", "profile", "--email", "Ana.New@acme.example")
	if r.code != 0 || !strings.Contains(r.stdout, "confirmation link was sent to ana.new@acme.example") ||
		!strings.Contains(r.stdout, "only once it is opened") {
		t.Fatalf("profile --email: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if l := links("ana.new@acme.example"); len(l) != 1 {
		t.Fatalf("links to the new address: %v", l)
	}
	if got := address(); !strings.Contains(got, "Email: ana@acme.example") {
		t.Fatalf("the address changed before the link was opened:\n%s", got)
	}

	r = cli("", "profile", "--email", "ana.new@acme.example", "--json")
	var doc jsonout.EmailChangeRequested
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || !doc.Requested || doc.Email != "ana.new@acme.example" || doc.Expires.IsZero() {
		t.Fatalf("--json: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	l := links("ana.new@acme.example")
	if len(l) != 2 {
		t.Fatalf("links to the new address after --json: %v", l)
	}
	if got := address(); !strings.Contains(got, "Email: ana@acme.example") {
		t.Fatalf("the address changed before the link was opened:\n%s", got)
	}

	// The newest link, used as the person's browser would.
	u, _ := url.Parse(l[1])
	resp, err := http.PostForm(srv.URL+"/email-change", url.Values{"t": {u.Query().Get("t")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the link's form: %d", resp.StatusCode)
	}
	if got := address(); !strings.Contains(got, "Email: ana.new@acme.example") {
		t.Fatalf("the address after the link was used:\n%s", got)
	}
	// The same request's result in French, for a person who asked for it.
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "fr_FR.UTF-8")
	if r := cli("", "profile", "--email", "ana.fr@acme.example"); r.code != 0 || !strings.Contains(r.stdout, "Un lien de confirmation a été envoyé à ana.fr@acme.example ;") {
		t.Errorf("LANG=fr_FR.UTF-8, profile --email: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Setenv("LANG", "C")

	for _, s := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"with-name", []string{"profile", "--email", "x@acme.example", "--name", "Ana"}, exitUsage, "--email goes alone"},
		{"bad-address", []string{"profile", "--email", "not an address"}, exitFailed, "email"},
		{"same-address", []string{"profile", "--email", "ana.new@acme.example"}, exitFailed, "your address already"},
	} {
		t.Run(s.name, func(t *testing.T) {
			if r := cli("", s.args...); r.code != s.code || !strings.Contains(r.stderr, s.want) {
				t.Fatalf("%v: exit %d\n%s\n%s", s.args, r.code, r.stdout, r.stderr)
			}
		})
	}
}
