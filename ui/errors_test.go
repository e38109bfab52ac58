package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
)

// Every stable code of the service has its own sentence, in both
// languages, with its structured arguments (a date, a wait, a line).
func TestEveryProblemCodeHasWords(t *testing.T) {
	codes := []string{"bad_credentials", "temporary_password_used", "temporary_password_expired", "password_too_common",
		"password_rejected", "weak_password", "password_change_required", "session_expired", "unauthenticated", "contract_ended",
		"manager_protected", "email_taken", "seat_key_required", "too_large", "too_long", "rate_limited", "caller_cap", "no_seats", "not_started",
		"bad_rows", "forbidden", "not_found", "conflict", "invalid", "bad_request", "internal", "end_sessions_required"}
	english := map[string]string{}
	for _, language := range []string{"en", "fr"} {
		setLanguage(language)
		for _, code := range codes {
			got := problemText(&account.ProblemError{Code: code})
			if got == "" {
				t.Errorf("%s: %q has no words", language, code)
			}
			if language == "en" {
				english[code] = got
			} else if got == english[code] {
				t.Errorf("fr: %q is in English: %q", code, got)
			}
		}
		ends := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
		withArgs := []struct {
			name string
			pe   *account.ProblemError
			want string
		}{
			{"the contract's end date", &account.ProblemError{Code: "contract_ended", Ends: ends}, map[string]string{"en": "March 31, 2026", "fr": "31 mars 2026"}[language]},
			{"the wait", &account.ProblemError{Code: "rate_limited", RetryAfter: 14*time.Minute + 54*time.Second}, "15 min"},
		}
		for _, tc := range withArgs {
			if got := errorText(tc.pe); !strings.Contains(got, tc.want) {
				t.Errorf("%s, %s: %q lacks %q", language, tc.name, got, tc.want)
			}
		}
		// Every code of a bad line, with its arguments; never the
		// service's English reason.
		rows := &account.ImportError{}
		for i, code := range api.RowCodes {
			rows.Rows = append(rows.Rows, account.RowError{Line: i + 2, Code: code, Reason: "SERVICE WORDS",
				Value: "nimbus", Limit: 25, Count: 27, Lines: []int{2, 3}})
		}
		text := errorText(rows)
		for _, r := range rows.Rows {
			line := rowText(r)
			if !strings.Contains(text, line) || strings.Contains(line, "SERVICE WORDS") || strings.HasSuffix(line, ": ") {
				t.Errorf("%s: line %d (%s) worded %q", language, r.Line, r.Code, line)
			}
			if language == "en" {
				english["row "+r.Code] = line
			} else if line == english["row "+r.Code] {
				t.Errorf("fr: line code %q is in English: %q", r.Code, line)
			}
		}
		// Every code of a refused field, for every field: the field's
		// name in the language spoken, never the service's English.
		for _, field := range api.FieldNames {
			for _, code := range api.FieldCodes {
				for _, problem := range []string{"invalid", "too_long"} {
					pe := &account.ProblemError{Code: problem, Fields: []account.FieldError{{Field: field, Code: code, Reason: "SERVICE WORDS", Value: "nimbus", Limit: 25, Count: 27}}}
					got := problemText(pe)
					key := problem + " " + field + " " + code
					if got == "" || strings.Contains(got, "SERVICE WORDS") || got == problemText(&account.ProblemError{Code: problem}) {
						t.Errorf("%s: %s worded %q", language, key, got)
					}
					if language == "en" {
						english[key] = got
					} else if got == english[key] {
						t.Errorf("fr: %s is in English: %q", key, got)
					}
				}
			}
			if language == "fr" && fieldName(field) == field {
				t.Errorf("fr: the field %q has no French name", field)
			}
		}
		long := problemText(&account.ProblemError{Code: "too_long", Fields: []account.FieldError{{Field: api.FieldName, Code: api.FieldTooLong, Limit: 200}}})
		if want := map[string]string{"en": "“name”", "fr": "« nom »"}[language]; !strings.Contains(long, want) || !strings.Contains(long, "200") {
			t.Errorf("%s: a long name is worded %q, want the field %s and its limit", language, long, want)
		}
	}
	setLanguage("en")
}

// In the French window, errors appear next to their field, in French,
// with the error icon; nothing is sent that the window can refuse itself.
func TestErrorsNextToFieldsFrench(t *testing.T) {
	a, d, cfg := demoAssistant(t, "fr")
	t.Cleanup(func() { setLanguage("en") })
	s := a.signin

	// Sign-in: the wrong password, under the password.
	typeText(a, s.user, d.ManagerID)
	typeText(a, s.password, "pas le mot de passe")
	tap(a, s.signIn)
	if got := s.signInErr.Text(); !s.signInErr.Visible() || got != problemText(&account.ProblemError{Code: "bad_credentials"}) || !strings.Contains(got, "mot de passe") {
		t.Fatalf("wrong password: %q", got)
	}
	act(a, func() { s.password.SetText(d.TempPassword) })
	tap(a, s.signIn)
	if s.signInErr.Visible() {
		t.Errorf("the error stays after the next attempt: %q", s.signInErr.Text())
	}
	// The new password: empty and short are refused here.
	for _, tc := range []struct{ name, next, again, want string }{
		{"empty", "", "", "Choose a new password of 12 characters or more."},
		{"short", "court", "court", "This password is too short: use 12 characters or more."},
		{"differ", "a new and long passphrase", "another long passphrase", "The two new passwords differ."},
	} {
		act(a, func() { s.newPass.SetText(tc.next); s.newAgain.SetText(tc.again) })
		tap(a, s.change)
		if got := s.changeErr.Text(); got != lang.L(tc.want) || got == tc.want {
			t.Errorf("%s: %q, want the French of %q", tc.name, got, tc.want)
		}
	}
	if a.me != nil {
		t.Fatal("signed in with a refused password")
	}
	act(a, func() {
		s.newPass.SetText("a new and long passphrase")
		s.newAgain.SetText("a new and long passphrase")
	})
	tap(a, s.change)
	if a.me == nil {
		t.Fatalf("not signed in: %q", s.changeErr.Text())
	}

	// Add one user: an empty email never leaves the window; a bad name
	// comes back from the service and shows next to the form, as an add.
	act(a, func() { a.selectTab("users") })
	u := a.users
	tap(a, buttonIn(t, a.win.Content(), "Ajouter l'utilisateur"))
	if got := u.emailErr.Text(); got != lang.L("Enter an email address, like name@company.com.") || !strings.Contains(got, "adresse") {
		t.Errorf("empty email: %q", got)
	}
	a.win.Resize(fyne.NewSize(800, 600))
	act(a, func() { u.openPanel(u.addPanel) })
	test.AssertRendersToMarkup(t, "users_email_error_fr.xml", a.win.Canvas())
	typeText(a, u.email, "nora.hale@example.com")
	if u.emailErr.Visible() {
		t.Error("the email error stays while the email is corrected")
	}
	act(a, func() { u.name.SetText(strings.Repeat("N", 300)) })
	tap(a, buttonIn(t, a.win.Content(), "Ajouter l'utilisateur"))
	if got := u.addErr.Text(); got == "" || strings.Contains(got, "line") || strings.Contains(got, "ligne") {
		t.Errorf("a bad name is reported as %q", got)
	}

	// Import: bad lines in French, by their code.
	csv := filepath.Join(t.TempDir(), "users.csv")
	os.WriteFile(csv, []byte("email,name,role,products,benefits\nok@example.com,Ok,user,quill,download\nnot-an-email,Bad,user,quill,download\n"), 0o644)
	typeText(a, u.csvPath, csv)
	act(a, u.runPreview)
	if got := u.importErr.Text(); !strings.Contains(got, "ligne 3 : l'adresse e-mail n'est pas valide") {
		t.Errorf("bad lines: %q", got)
	}
	if u.addErr.Visible() {
		t.Error("the add's error stays through the import")
	}
	// Lines refused by the contract's own rules (a product it lacks, more
	// users than seats) name the product, in French.
	rows := "email,products\nx0@example.com,nimbus\n"
	for i := range 30 {
		rows += fmt.Sprintf("s%d@example.com,quill\n", i)
	}
	os.WriteFile(csv, []byte(rows), 0o644)
	act(a, u.runPreview)
	got := u.importErr.Text()
	for _, want := range []string{"ligne 2 : le produit « nimbus » n'est pas au contrat", "ligne 3 : « quill » aurait", "utilisateurs pour 25 postes"} {
		if !strings.Contains(got, want) {
			t.Errorf("contract rules: %q lacks %q", got, want)
		}
	}

	// Profile: the phone is checked here; the password can be changed.
	act(a, func() { a.selectTab("profile") })
	p := a.profile
	typeText(a, p.phone, "call me maybe!!")
	tap(a, p.save)
	if got := p.phoneErr.Text(); !strings.Contains(got, "chiffres") {
		t.Errorf("phone: %q", got)
	}
	// A name longer than the service allows: the field is named, in French.
	act(a, func() { p.phone.SetText("+33 6 12 34 56 78"); p.name.SetText(strings.Repeat("é", 201)) })
	tap(a, p.save)
	if got := p.saveErr.Text(); !strings.Contains(got, "« nom »") || !strings.Contains(got, "200") {
		t.Errorf("long name: %q", got)
	}
	act(a, func() { p.name.SetText("Alex Martin") })
	typeText(a, p.current, "a new and long passphrase")
	typeText(a, p.next, "")
	tap(a, p.changePass)
	if got := p.passErr.Text(); got != lang.L("Choose a new password of 12 characters or more.") {
		t.Errorf("empty new password: %q", got)
	}
	typeText(a, p.next, "yet another long passphrase")
	typeText(a, p.again, "yet another long passphrase")
	tap(a, p.changePass)
	if p.passErr.Visible() || p.passDone.Text == "" {
		t.Fatalf("password change: %q", p.passErr.Text())
	}
	if err := cfg.Client.SignIn(context.Background(), d.ManagerID, "yet another long passphrase"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

// "Add one user" words every refusal of its one line in the window's
// language, without the line number: never the service's English.
func TestAddErrorsWorded(t *testing.T) {
	a, d, _ := demoAssistant(t, "fr")
	t.Cleanup(func() { setLanguage("en") })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.selectTab("users") })
	u := a.users
	for _, code := range api.RowCodes {
		t.Run(code, func(t *testing.T) {
			err := &account.ProblemError{Code: "bad_rows", Rows: []account.RowError{{Line: 2, Code: code, Reason: "SERVICE WORDS",
				Value: "quill", Limit: 25, Count: 26, Lines: []int{2}}}}
			act(a, func() { u.emailErr.SetText(""); u.addErr.SetText(""); u.showAddError(err) })
			got := u.emailErr.Text() + u.addErr.Text()
			if got == "" || strings.Contains(got, "SERVICE WORDS") || strings.Contains(got, "ligne") {
				t.Errorf("%q", got)
			}
		})
	}
}
