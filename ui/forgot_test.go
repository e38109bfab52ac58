package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"onramp.dev/onramp/account"
)

// "Forgot password?" asks for a user ID or email first, then has the
// service email a link; the window says the same whether or not the
// account exists, in the window's language, and only the account gets
// an email.
func TestForgotPassword(t *testing.T) {
	a, d, _ := demoAssistant(t, "fr")
	s := a.signin
	tap(a, s.forgot)
	if got := s.signInErr.Text(); !strings.Contains(got, "Saisissez votre identifiant") {
		t.Fatalf("with no user ID: %q", got)
	}
	var answers []string
	for _, login := range []string{"nobody@example.com", d.ManagerID} {
		act(a, func() { s.user.SetText("") })
		typeText(a, s.user, login)
		tap(a, s.forgot)
		if s.signInErr.Text() != "" {
			t.Fatalf("%s: error %q", login, s.signInErr.Text())
		}
		answers = append(answers, s.status.Text)
	}
	if answers[0] != answers[1] || !strings.Contains(answers[0], "30 minutes") || !strings.Contains(answers[0], "lien") {
		t.Errorf("the answers: %q", answers)
	}
	d.Service.WaitPasswordResets()
	out, err := d.Store.Outbox(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, e := range out {
		if e.Kind == "password_reset" {
			to = append(to, e.To)
		}
	}
	manager, err := d.Store.User(context.Background(), d.ManagerID)
	if err != nil {
		t.Fatal(err)
	}
	if len(to) != 1 || to[0] != manager.Email {
		t.Errorf("password reset emails to %v, want only %s", to, manager.Email)
	}
}

// A refused temporary password points a contract manager, whom no admin of
// the contract can help, to support; anyone else to their contract
// manager; both to "Forgot password?".
func TestTemporaryPasswordWordsAsk(t *testing.T) {
	for _, language := range []string{"en", "fr"} {
		setLanguage(language)
		for _, code := range []string{"temporary_password_used", "temporary_password_expired"} {
			manager := problemText(&account.ProblemError{Code: code, Ask: "support"})
			user := problemText(&account.ProblemError{Code: code, Ask: "admin"})
			if !strings.Contains(manager, "support") || strings.Contains(manager, "contrat") || strings.Contains(manager, "contract") {
				t.Errorf("%s %s, a manager is told: %q", language, code, manager)
			}
			if !strings.Contains(user, lang.L("Forgot password?")) || manager == user {
				t.Errorf("%s %s, a user is told: %q", language, code, user)
			}
		}
	}
	setLanguage("en")
}
