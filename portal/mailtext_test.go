package portal

import (
	"context"
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Every email the service sends, in English and in French, from the
// templates: the people's names, the company, product and service names
// (never IDs), the link, and the support contacts; a text and an HTML
// part; French that reads as French.
func TestEveryEmailInBothLanguages(t *testing.T) {
	ctx := context.Background()
	words := map[string]struct {
		hello, atlas, web, orderSubject, nothing, caller, noLonger, reset, isCaller string
	}{
		"en": {"Hello Élise Lefèvre,", "Products: Atlas CAD and Quill Notes", "web and email support", "Your order is confirmed: " + lefevre,
			"You no longer have any product or service on this subscription.", "You are now one of the designated callers of " + lefevre,
			"You are no longer one of the designated callers", "Choose a new Onramp password", "You are one of the designated callers of " + lefevre},
		"fr": {"Bonjour Élise Lefèvre,", "Produits\u00a0: Atlas CAD et Quill Notes", "support en ligne et par e-mail", "Votre commande est confirmée\u00a0: " + lefevre,
			"Vous ne disposez plus d'aucun produit ni service sur cet abonnement.", "Vous faites désormais partie des appelants désignés de " + lefevre,
			"Vous ne faites plus partie des appelants désignés", "Choisissez un nouveau mot de passe Onramp", "Vous faites partie des appelants désignés de " + lefevre},
	}
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			p := newTestPortal(t)
			w := words[lang]
			_, admin := mailContract(t, p, lang, "elise@lefevre.example", time.Time{})
			added, err := p.svc.AddUser(ctx, admin, NewUser{Email: "marc@lefevre.example", Name: "Marc Dupré", Products: []string{"atlas", "quill"},
				Benefits: []string{"download", "install", "web_support"}})
			if err != nil {
				t.Fatal(err)
			}
			// Every product and service taken away: the notice says so in a sentence.
			if _, err := p.svc.Assign(ctx, admin, Assignment{Users: []string{added.UserID}, RemoveProducts: []string{"atlas", "quill"},
				RemoveBenefits: []string{"download", "install", "web_support"}}); err != nil {
				t.Fatal(err)
			}
			if err := p.svc.SetCaller(ctx, admin, admin.ID, true); err != nil {
				t.Fatal(err)
			}
			// A change of products and a designation within the delay:
			// one email, telling both.
			lea, err := p.svc.AddUser(ctx, admin, NewUser{Email: "lea@lefevre.example", Name: "Léa Rousseau", Products: []string{"quill"},
				Benefits: []string{"download", "web_support"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.svc.Assign(ctx, admin, Assignment{Users: []string{lea.UserID}, AddProducts: []string{"atlas"}, AddBenefits: []string{"install", "phone_support"}}); err != nil {
				t.Fatal(err)
			}
			if err := p.svc.SetCaller(ctx, admin, lea.UserID, true); err != nil {
				t.Fatal(err)
			}
			for _, kind := range []string{"benefits_changed", "caller_changed"} {
				if es := emailsTo(t, p, "lea@lefevre.example", kind); len(es) != 0 {
					t.Errorf("%d %s emails beside the one telling both changes", len(es), kind)
				}
			}
			// A person with an account on another contract joins with it.
			_, other := mailContract(t, p, lang, "hugo@ailleurs.example", time.Time{})
			if _, err := p.svc.AddUser(ctx, admin, NewUser{Email: "hugo@ailleurs.example", Name: "Hugo", Products: []string{"atlas", "quill"},
				Benefits: []string{"download", "web_support"}}); err != nil {
				t.Fatal(err)
			}
			marc, err := p.store.User(ctx, added.UserID)
			if err != nil {
				t.Fatal(err)
			}
			reset, err := p.svc.passwordResetEmail(ctx, *marc, p.svc.PublicURL+"/reset?t=TOKEN", time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}

			// Marc changes his address: a link to the new one, a notice
			// to the old one.
			if _, err := p.svc.RequestEmailChange(ctx, marc, "marc.new@lefevre.example"); err != nil {
				t.Fatal(err)
			}
			confirm := emailsTo(t, p, "marc.new@lefevre.example", "email_change")
			if len(confirm) != 1 {
				t.Fatalf("email change links: %d", len(confirm))
			}
			if _, err := p.svc.ConfirmEmailChange(ctx, emailChangeToken(t, confirm[0].Body)); err != nil {
				t.Fatal(err)
			}

			type check struct {
				email Email
				want  []string
			}
			one := func(addr, kind string) Email {
				es := emailsTo(t, p, addr, kind)
				if len(es) != 1 {
					t.Fatalf("%d %s emails to %s, want 1", len(es), kind, addr)
				}
				return es[0]
			}
			start := p.svc.PublicURL + "/start?t="
			checks := []check{
				{one("elise@lefevre.example", "order_confirmation"), []string{w.orderSubject, "Élise Lefèvre", "Atlas CAD", "Quill Notes"}},
				{one("elise@lefevre.example", "start"), []string{w.atlas, w.web, start, admin.ID}},
				{one("marc@lefevre.example", "start"), []string{"Marc Dupré", w.atlas, w.web, start, added.UserID}},
				{one("marc@lefevre.example", "benefits_changed"), []string{"Marc Dupré", w.nothing, start}},
				{one("elise@lefevre.example", "caller_changed"), []string{w.caller, start, testProfile.Support.Phone}},
				{one("lea@lefevre.example", "account_changed"), []string{"Léa Rousseau", w.atlas, w.isCaller, start, testProfile.Support.Phone}},
				{reset, []string{w.reset, p.svc.PublicURL + "/reset?t=TOKEN", added.UserID}},
				{one("marc.new@lefevre.example", "email_change"), []string{"Marc Dupré", p.svc.PublicURL + "/email-change?t=", added.UserID, "marc.new@lefevre.example"}},
				{one("marc@lefevre.example", "email_changed"), []string{"Marc Dupré", added.UserID, "marc.new@lefevre.example"}},
				{one("hugo@ailleurs.example", "start_existing"), []string{"Élise Lefèvre", w.atlas, w.web, start, other.ID}},
			}
			kinds := map[string]bool{}
			for _, c := range checks {
				e := c.email
				kinds[e.Kind] = true
				text := e.Subject + "\n" + e.Body
				for _, want := range append(c.want, lefevre, testProfile.Support.Web, testProfile.Support.Email, p.svc.PublicURL+"/help") {
					if !strings.Contains(text, want) {
						t.Errorf("%s email lacks %q:\n%s", e.Kind, want, text)
					}
				}
				if !strings.Contains(text, strings.Fields(w.hello)[0]+" ") {
					t.Errorf("%s email does not greet its reader:\n%s", e.Kind, text)
				}
				// Names, not IDs.
				for _, id := range []string{"atlas", "quill", "web_support", "phone_support", "products ;", "benefits ."} {
					if strings.Contains(text, id) {
						t.Errorf("%s email shows the ID %q:\n%s", e.Kind, id, text)
					}
				}
				// The phone is for designated callers only.
				if e.Kind != "caller_changed" && e.Kind != "account_changed" && strings.Contains(text, testProfile.Support.Phone) {
					t.Errorf("%s email shows the support phone to someone who may not call:\n%s", e.Kind, text)
				}
				if !utf8.ValidString(text) || strings.Contains(text, "<no value>") {
					t.Errorf("%s email is not clean text:\n%s", e.Kind, text)
				}
				// The HTML part says the same, escaped.
				if !strings.Contains(e.HTML, `<html lang="`+lang+`">`) || !strings.Contains(e.HTML, html.EscapeString(lefevre)) ||
					strings.Contains(e.HTML, lefevre) || !strings.Contains(e.HTML, testProfile.Support.Email) {
					t.Errorf("%s email's HTML part:\n%s", e.Kind, e.HTML)
				}
				if lang == "fr" {
					for _, part := range []string{e.Subject, e.Body, e.HTML} {
						if m := frenchSpacing.FindString(part); m != "" {
							t.Errorf("%s email: an ordinary space in %q, want a non-breaking one:\n%s", e.Kind, m, part)
						}
					}
					for _, english := range []string{"Hello", "Products:", "Support email", "start email", "Your "} {
						if strings.Contains(e.Body, english) {
							t.Errorf("%s email is partly English (%q):\n%s", e.Kind, english, e.Body)
						}
					}
				}
			}
			for _, kind := range mailKinds {
				if !kinds[kind] {
					t.Errorf("no %s email checked", kind)
				}
			}
			// Once that notice is sent, taking the designation back sends
			// its own.
			sent := one("elise@lefevre.example", "caller_changed")
			if err := p.store.MarkSent(ctx, sent.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := p.svc.SetCaller(ctx, admin, admin.ID, false); err != nil {
				t.Fatal(err)
			}
			es := emailsTo(t, p, "elise@lefevre.example", "caller_changed")
			if len(es) != 2 || !strings.Contains(es[1].Body, w.noLonger) || strings.Contains(es[1].Body, testProfile.Support.Phone) ||
				!strings.Contains(es[1].Subject, lefevre) || !strings.Contains(es[1].HTML, html.EscapeString(lefevre)) {
				t.Errorf("after the designation was taken back: %+v", es)
			}
			if lang == "fr" && frenchSpacing.MatchString(es[1].Body+es[1].HTML+es[1].Subject) {
				t.Errorf("French spacing:\n%s", es[1].Body)
			}
			// Designated and taken back before the notice left: the user
			// is as they last heard, and hears nothing.
			if err := p.svc.SetCaller(ctx, admin, added.UserID, true); err != nil {
				t.Fatal(err)
			}
			if err := p.svc.SetCaller(ctx, admin, added.UserID, false); err != nil {
				t.Fatal(err)
			}
			if es := emailsTo(t, p, "marc@lefevre.example", "caller_changed"); len(es) != 0 {
				t.Errorf("designated and taken back within the delay: %+v", es)
			}
		})
	}
}

// With no support contact configured, every email says so plainly and
// names no placeholder.
func TestEmailsWithoutSupportContacts(t *testing.T) {
	p := newTestPortal(t)
	p.svc.profile = Profile{}
	for _, lang := range Languages {
		email := lang + "@lefevre.example"
		mailContract(t, p, lang, email, time.Time{})
		for _, e := range emailsTo(t, p, email, "") {
			want := map[string]string{"en": "No support contact is configured for this service yet", "fr": "Aucun contact de support n'est encore configuré"}[lang]
			if !strings.Contains(e.Body, want) || strings.Contains(e.Body, "onramp.dev") || strings.Contains(e.Body, "00 00 00") ||
				!strings.Contains(e.HTML, want) {
				t.Errorf("%s %s email:\n%s", lang, e.Kind, e.Body)
			}
		}
	}
}

// An ordered contract sends its order confirmation only; its start emails
// (the manager's, and those of the users added meanwhile) go out when it
// starts, once, and say what became available.
func TestContractOrderedThenStarted(t *testing.T) {
	ctx := context.Background()
	p := newTestPortal(t)
	now := time.Now().UTC()
	day := now.Add(48 * time.Hour).Truncate(24 * time.Hour)
	c, admin := mailContract(t, p, "fr", "elise@lefevre.example", day)
	if c.Started != nil || !c.Starts.Equal(day) {
		t.Fatalf("contract starting %s: started %v, starts %s", day, c.Started, c.Starts)
	}
	conf := emailsTo(t, p, "elise@lefevre.example", "")
	if len(conf) != 1 || conf[0].Kind != "order_confirmation" {
		t.Fatalf("an ordered contract queued %+v, want the order confirmation only", conf)
	}
	if want := "Il démarre le " + mailDate("fr", day); !strings.Contains(conf[0].Body, "en cours de préparation") || !strings.Contains(conf[0].Body, want) {
		t.Errorf("the confirmation does not say the subscription is being prepared and when it starts (%q):\n%s", want, conf[0].Body)
	}
	if _, err := p.svc.AddUser(ctx, admin, NewUser{Email: "marc@lefevre.example", Name: "Marc", Products: []string{"quill"}, Benefits: []string{"download"}}); err != nil {
		t.Fatal(err)
	}
	if e := emailsTo(t, p, "marc@lefevre.example", ""); len(e) != 0 {
		t.Errorf("a user added to an ordered contract got %+v before it started", e)
	}
	if n, err := p.svc.StartDueContracts(ctx); err != nil || n != 0 {
		t.Errorf("before its day: %d started, %v", n, err)
	}
	p.svc.now = func() time.Time { return day.Add(time.Minute) }
	if n, err := p.svc.StartDueContracts(ctx); err != nil || n != 1 {
		t.Fatalf("on its day: %d started, %v", n, err)
	}
	for addr, product := range map[string]string{"elise@lefevre.example": "Atlas CAD et Quill Notes", "marc@lefevre.example": "Quill Notes"} {
		e := emailsTo(t, p, addr, "start")
		if len(e) != 1 || !strings.Contains(e[0].Body, "a démarré") || !strings.Contains(e[0].Body, "Produits\u00a0: "+product) {
			t.Errorf("start email to %s: %+v", addr, e)
		}
	}
	if _, err := p.svc.StartContract(ctx, c.ID, "test"); !errors.Is(err, ErrStarted) {
		t.Errorf("a second start: %v, want ErrStarted", err)
	}
	if e := emailsTo(t, p, "marc@lefevre.example", "start"); len(e) != 1 {
		t.Errorf("%d start emails after a second start, want 1", len(e))
	}
	// The start emails' passwords work: the one nobody knew before does not.
	for _, addr := range []string{"elise@lefevre.example", "marc@lefevre.example"} {
		body := emailsTo(t, p, addr, "start")[0].Body
		id := regexp.MustCompile(`Identifiant\x{a0}: (\S+)`).FindStringSubmatch(body)
		pw := regexp.MustCompile(`Mot de passe temporaire\x{a0}: (\S+)`).FindStringSubmatch(body)
		if id == nil || pw == nil {
			t.Fatalf("start email to %s:\n%s", addr, body)
		}
		if _, err := p.svc.SignIn(ctx, id[1], pw[1], "127.0.0.9"); err != nil {
			t.Errorf("%s signs in with the start email's password: %v", addr, err)
		}
	}
}

// Changes to one user in a short time go out as one email, which tells
// the user's state after the last; it waits the notice delay.
func TestNoticesCoalesce(t *testing.T) {
	ctx := context.Background()
	p := newTestPortal(t)
	_, admin := mailContract(t, p, "en", "elise@lefevre.example", time.Time{})
	added, err := p.svc.AddUser(ctx, admin, NewUser{Email: "marc@lefevre.example", Name: "Marc", Products: []string{"atlas"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []Assignment{{AddProducts: []string{"quill"}}, {AddBenefits: []string{"install"}}, {RemoveProducts: []string{"atlas"}}} {
		a.Users = []string{added.UserID}
		if _, err := p.svc.Assign(ctx, admin, a); err != nil {
			t.Fatal(err)
		}
	}
	notices := emailsTo(t, p, "marc@lefevre.example", "benefits_changed")
	if len(notices) != 1 {
		t.Fatalf("%d notices for three changes within the delay, want 1", len(notices))
	}
	if b := notices[0].Body; !strings.Contains(b, "Products: Quill Notes\n") || !strings.Contains(b, "Services: installation with Onramp\n") {
		t.Errorf("the notice does not tell the state after the last change:\n%s", b)
	}
	// It waits: a mailer now does not take it; after the delay, it does.
	claimed, err := p.store.ClaimOutbox(ctx, time.Now(), time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range claimed {
		if e.Kind == "benefits_changed" {
			t.Errorf("the notice went before its delay")
		}
	}
	claimed, err = p.store.ClaimOutbox(ctx, time.Now().Add(noticeDelay+time.Second), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 1 || claimed[0].Kind != "benefits_changed" || claimed[0].HTML == "" {
		t.Fatalf("after the delay the mailer takes %+v, want the notice", claimed)
	}
	// Once a mailer holds it, a new change makes a new notice.
	if _, err := p.svc.Assign(ctx, admin, Assignment{Users: []string{added.UserID}, AddProducts: []string{"atlas"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(emailsTo(t, p, "marc@lefevre.example", "benefits_changed")); n != 2 {
		t.Errorf("%d notices, want the one being sent and a new one", n)
	}
}

// lefevre is a company name that tests escaping and accents at once.
const lefevre = "Bureau d'Études Lefèvre & Fils"

// mailContract creates an advanced contract of atlas and quill in lang,
// starting at start (zero: now), and returns its manager as stored.
func mailContract(t *testing.T, p *testPortal, lang, email string, start time.Time) (*Contract, *User) {
	t.Helper()
	c, m, err := p.svc.CreateContract(context.Background(), ContractRequest{Company: lefevre, ManagerEmail: email, ManagerName: "Élise Lefèvre",
		Products: []Seats{{Product: "atlas", Seats: 5}, {Product: "quill", Seats: 3}}, Plan: PlanAdvanced, Language: lang, Start: start}, "test")
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
func emailsTo(t *testing.T, p *testPortal, addr, kind string) []Email {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	var got []Email
	for _, e := range out {
		if e.To == addr && (kind == "" || e.Kind == kind) {
			got = append(got, e)
		}
	}
	return got
}

// frenchSpacing finds an ordinary space before : ; ? ! or inside « »,
// which French typography wants non-breaking.
var frenchSpacing = regexp.MustCompile(` [:;?!»]|« `)

var emailChangeRe = regexp.MustCompile(`/email-change\?t=([A-Za-z0-9_-]{43})`)

// emailChangeToken is the token of the link an email change sent.
func emailChangeToken(t testing.TB, body string) string {
	t.Helper()
	m := emailChangeRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no email change link in:\n%s", body)
	}
	return m[1]
}
