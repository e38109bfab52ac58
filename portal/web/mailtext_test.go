package web

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// lefevre is a company name that tests escaping and accents at once.
const lefevre = "Bureau d'Études Lefèvre & Fils"

// mailContract creates an advanced contract of atlas and quill in lang,
// starting at start (zero: now), and returns its manager as stored.
func mailContract(t *testing.T, p *testPortal, lang, email string, start time.Time) (*portal.Contract, *portal.User) {
	t.Helper()
	c, m, err := p.svc.CreateContract(context.Background(), portal.ContractRequest{Company: lefevre, ManagerEmail: email, ManagerName: "Élise Lefèvre",
		Products: []portal.Seats{{Product: "atlas", Seats: 5}, {Product: "quill", Seats: 3}}, Plan: portal.PlanAdvanced, Language: lang, Start: start}, "test")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := p.store.User(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c, admin
}

// emailsTo are the emails queued or sent to addr, of kind ("" for any).
func emailsTo(t *testing.T, p *testPortal, addr, kind string) []portal.Email {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	var got []portal.Email
	for _, e := range out {
		if e.To == addr && (kind == "" || e.Kind == kind) {
			got = append(got, e)
		}
	}
	return got
}

// A user's own language wins over the contract's, in their emails and on
// their start page.
func TestUserLanguageWins(t *testing.T) {
	ctx := context.Background()
	p := newTestPortal(t)
	_, admin := mailContract(t, p, "en", "elise@lefevre.example", time.Time{})
	csv := "email,name,products,benefits,language\nmarc@lefevre.example,Marc,atlas,download,fr\nzoe@lefevre.example,Zoé,atlas,download,\n"
	if _, err := p.svc.ImportUsers(ctx, admin, []byte(csv), false); err != nil {
		t.Fatal(err)
	}
	if e := emailsTo(t, p, "marc@lefevre.example", "start"); len(e) != 1 || !strings.Contains(e[0].Body, "Bonjour Marc") {
		t.Errorf("Marc chose French: %+v", e)
	}
	if e := emailsTo(t, p, "zoe@lefevre.example", "start"); len(e) != 1 || !strings.Contains(e[0].Body, "Hello Zoé") {
		t.Errorf("Zoé has the contract's English: %+v", e)
	}
	m := regexp.MustCompile(`/start\?t=\S+`).FindString(emailsTo(t, p, "marc@lefevre.example", "start")[0].Body)
	if _, _, page := getPage(t, p.URL+m, "en"); !strings.Contains(page, `lang="fr"`) || !strings.Contains(page, "Identifiant") {
		t.Errorf("Marc's start page is not French:\n%s", page)
	}
	_, err := p.svc.ImportUsers(ctx, admin, []byte("email,language\nann@lefevre.example,de\n"), false)
	var ie *portal.ImportError
	if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Code != "bad_language" || ie.Rows[0].Line != 2 {
		t.Errorf("a language emails are not written in: %v", err)
	}
	if _, _, err := p.svc.CreateContract(ctx, portal.ContractRequest{Company: "X", ManagerEmail: "x@x.example", Products: []portal.Seats{{Product: "atlas", Seats: 1}},
		Plan: portal.PlanStandard, Language: "de"}, "test"); err == nil || !strings.Contains(err.Error(), "de") {
		t.Errorf("a contract in German: %v", err)
	}
}

// A user chooses the language of their emails on their profile, and an
// admin sets it when adding them; the next email speaks it.
func TestLanguageOnProfileAndAdd(t *testing.T) {
	ctx := context.Background()
	p := newTestPortal(t)
	token, admin := p.admin(t, "ana@acme.example", "atlas")
	var me portal.Me
	if code := p.call(t, "PATCH", "/api/v1/me", token, map[string]string{"language": "fr"}, &me); code != 200 || me.User.Language != "fr" {
		t.Fatalf("PATCH language fr: %d %+v", code, me.User)
	}
	var prob Problem
	if code := p.call(t, "PATCH", "/api/v1/me", token, map[string]string{"language": "klingon"}, &prob); code != 422 ||
		len(prob.Fields) != 1 || prob.Fields[0].Code != "bad_language" || prob.Fields[0].Field != "language" {
		t.Errorf("PATCH language klingon: %d %+v", code, prob)
	}
	if _, err := p.svc.Assign(ctx, mustUser(t, p, admin.ID), portal.Assignment{Users: []string{admin.ID}, RemoveProducts: []string{"atlas"}}); err != nil {
		t.Fatal(err)
	}
	if es := emailsTo(t, p, "ana@acme.example", "benefits_changed"); len(es) != 1 || !strings.HasPrefix(es[0].Body, "Bonjour") {
		t.Errorf("the notice after choosing French: %+v", es)
	}
	if _, err := p.svc.AddUser(ctx, admin, portal.NewUser{Email: "bo@acme.example", Name: "Bo", Language: "fr"}); err != nil {
		t.Fatal(err)
	}
	if es := emailsTo(t, p, "bo@acme.example", "start"); len(es) != 1 || !strings.HasPrefix(es[0].Subject, "Commencez") {
		t.Errorf("added in French: %+v", es)
	}
}
