package ui

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/portal"
)

// labelsOf are the texts of every label on the window.
func labelsOf(a *Assistant) string {
	var b strings.Builder
	walkObjects(a.win.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// A user without the install benefit is told so on the product's card,
// before anything is downloaded, and sees only the services they can use.
func TestInstallNeedsTheBenefitInTheWindow(t *testing.T) {
	for _, language := range []string{"en", "fr"} {
		t.Run(language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, language)
			defer setLanguage("en")
			ctx := context.Background()
			manager, err := d.Store.User(ctx, d.ManagerID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Service.AddUser(ctx, manager, portal.NewUser{Email: "dl.only@example.com", Name: "Dl Only", Products: []string{"quill"},
				Benefits: []string{"download", "phone_support"}}); err != nil {
				t.Fatal(err)
			}
			out, err := d.Store.Outbox(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(out, func(e portal.Email) bool { return e.To == "dl.only@example.com" && e.Kind == "start" })
			if i < 0 {
				t.Fatal("no start email")
			}
			uid := regexp.MustCompile(`(U[0-9A-Z]{8})`).FindString(out[i].Body)
			temp := regexp.MustCompile(`(?:Temporary password|Mot de passe temporaire) ?: (\S+)`).FindStringSubmatch(out[i].Body)
			if uid == "" || temp == nil {
				t.Fatalf("start email:\n%s", out[i].Body)
			}
			signInFirstTime(t, a, uid, temp[1])
			act(a, func() { a.selectTab("products") })
			c := a.cards["quill"]
			if c == nil || !c.setup.Disabled() {
				t.Fatalf("the set-up button of a user without install is enabled")
			}
			labels := labelsOf(a)
			want := map[string]string{"en": "Installing needs the install benefit", "fr": "L'installation demande l'avantage installation"}[language]
			if !strings.Contains(labels, want) {
				t.Errorf("the card does not say install is needed:\n%s", labels)
			}
			// Not a designated caller: phone support is not among the services.
			phone := map[string]string{"en": "phone support", "fr": "support téléphonique"}[language]
			if !strings.Contains(labels, benefitName("download")) || strings.Contains(labels, phone) {
				t.Errorf("services shown:\n%s", labels)
			}
		})
	}
}

// The users screen changes the selected person's role and corrects the
// address of one who has not signed in, keeping their ID.
func TestChangeRoleAndEmailInTheWindow(t *testing.T) {
	a, d, cfg := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.selectTab("users") })
	a.Wait()
	u := a.users
	f := u.person
	tap(a, f.setRole)
	if !strings.Contains(f.err.Text(), "Tick exactly one user") {
		t.Errorf("no user ticked: %q", f.err.Text())
	}
	var li string
	for _, usr := range u.users {
		if usr.Email == "li.wei@example.com" {
			li = usr.ID
		}
	}
	u.selected[li] = true
	act(a, func() { f.role.SetSelected(roleName("software_coordinator")) })
	tap(a, f.setRole)
	if !strings.Contains(f.done.Text, "is now software coordinator") {
		t.Fatalf("set role: %q %q", f.done.Text, f.err.Text())
	}
	test.Tap(buttonIn(t, u.content(), "Change the role"))
	a.Wait()
	typeText(a, f.email, "li.wei@example.org")
	tap(a, f.setEmail)
	if !strings.Contains(f.done.Text, "a new start email is on its way") {
		t.Fatalf("set email: %q %q", f.done.Text, f.err.Text())
	}
	// The same address again: said as it is, not as a value listed twice.
	tap(a, f.setEmail)
	if got := f.err.Text(); got != "This is already the account's email address." {
		t.Errorf("the same address again: %q", got)
	}
	users, err := cfg.Client.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, usr := range users {
		if usr.ID == li {
			found = true
			if usr.Role != "software_coordinator" || usr.Email != "li.wei@example.org" || len(usr.Products) == 0 {
				t.Errorf("after the changes: %+v", usr)
			}
		}
	}
	if !found {
		t.Errorf("%s is gone", li)
	}
	// The manager has signed in: their address is theirs.
	delete(u.selected, li)
	u.selected[d.ManagerID] = true
	act(a, func() { f.email.SetText("alex@example.org") })
	tap(a, f.setEmail)
	if !strings.Contains(f.err.Text(), "signed in already") {
		t.Errorf("correcting a signed-in person's address: %q", f.err.Text())
	}
	test.Tap(cliButtonIn(t, f.content()))
	if !strings.Contains(a.lastCLI, "users set-email "+d.ManagerID+" alex@example.org") {
		t.Errorf("CLI: %q", a.lastCLI)
	}
}
