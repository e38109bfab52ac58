package ui

import (
	"context"
	"strings"
	"testing"
)

// Saving the profile's name keeps the phone number: the window is given
// the stored phone (the wire types carry it) and sends it back unchanged.
func TestProfileNameKeepsPhone(t *testing.T) {
	a, d, cfg := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.selectTab("profile") })
	typeText(a, a.profile.phone, "+33 6 12 34 56 78")
	tap(a, a.profile.save)

	// Another visit to the profile: only the name changes.
	act(a, func() { a.selectTab("products") })
	act(a, func() { a.selectTab("profile") })
	if got := a.profile.phone.Text; got != "+33 6 12 34 56 78" {
		t.Fatalf("the profile shows phone %q", got)
	}
	act(a, func() { a.profile.name.SetText("Alex Martin-Dupont") })
	tap(a, a.profile.save)
	me, err := cfg.Client.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.User.Name != "Alex Martin-Dupont" || me.User.Phone != "+33 6 12 34 56 78" {
		t.Fatalf("stored: name %q, phone %q", me.User.Name, me.User.Phone)
	}
}

// The profile's change of address sends a link to the new address and
// says so; the address is the same until the link is opened. A mistake
// shows under the field, in the window's language.
func TestProfileEmailChange(t *testing.T) {
	for _, c := range []struct{ lang, sent, empty, same string }{
		{"en", "A confirmation link was sent to ana.new@example.com", "Enter the new email address.", "This is already the account's email address."},
		{"fr", "Un lien de confirmation a été envoyé à ana.new@example.com", "Saisissez la nouvelle adresse e-mail.", "C'est déjà l'adresse e-mail du compte."},
	} {
		t.Run(c.lang, func(t *testing.T) {
			a, d, cfg := demoAssistant(t, c.lang)
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			ctx := context.Background()
			before, err := cfg.Client.WhoAmI(ctx)
			if err != nil {
				t.Fatal(err)
			}
			act(a, func() { a.selectTab("profile") })
			s := a.profile
			if s.emailForm.Visible() {
				t.Fatal("the new address's field shows before it is asked for")
			}
			tap(a, s.changeEmail)
			if !s.emailForm.Visible() {
				t.Fatal("the new address's field does not show")
			}
			tap(a, s.sendEmail)
			if got := s.emailErr.Text(); got != c.empty {
				t.Errorf("no address: %q", got)
			}
			typeText(a, s.newEmail, before.User.Email)
			tap(a, s.sendEmail)
			if s.emailErr.Text() != c.same || s.emailPending.Text != "" {
				t.Errorf("the same address: error %q, result %q", s.emailErr.Text(), s.emailPending.Text)
			}
			act(a, func() { s.newEmail.SetText("") })
			typeText(a, s.newEmail, "Ana.New@example.com")
			tap(a, s.sendEmail)
			if got := s.emailPending.Text; !strings.Contains(got, c.sent) || s.emailErr.Text() != "" {
				t.Fatalf("after sending: %q (error %q)", got, s.emailErr.Text())
			}
			out, err := d.Store.Outbox(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range out {
				if e.Kind == "email_change" && e.To == "ana.new@example.com" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("links to the new address: %d", n)
			}
			after, err := cfg.Client.WhoAmI(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if after.User.Email != before.User.Email {
				t.Errorf("the address changed before the link was opened: %s", after.User.Email)
			}
		})
	}
}
