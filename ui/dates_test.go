package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
)

// Dates and moments are written as the window's language writes them,
// the month in words: each format, in English and French, the first of a
// month too ("1er" in French).
func TestDateFormats(t *testing.T) {
	t.Cleanup(func() { setLanguage("en") })
	day := time.Date(2026, time.March, 31, 0, 0, 0, 0, time.UTC)
	first := time.Date(2026, time.August, 1, 0, 0, 0, 0, time.UTC)
	moment := time.Date(2026, time.December, 7, 9, 5, 0, 0, time.Local)
	for _, tc := range []struct {
		name   string
		format func() string
		want   map[string]string
	}{
		{"a day", func() string { return dateText(day) }, map[string]string{"en": "March 31, 2026", "fr": "31 mars 2026"}},
		{"the first of a month", func() string { return dateText(first) }, map[string]string{"en": "August 1, 2026", "fr": "1er août 2026"}},
		{"a moment", func() string { return dateTimeText(moment) }, map[string]string{"en": "December 7, 2026, 09:05", "fr": "7 décembre 2026 à 09:05"}},
	} {
		for _, language := range []string{"en", "fr"} {
			setLanguage(language)
			if got := tc.format(); got != tc.want[language] {
				t.Errorf("%s, %s: %q, want %q", language, tc.name, got, tc.want[language])
			}
		}
	}
	// Every month has its own name in each language.
	for _, language := range []string{"en", "fr"} {
		setLanguage(language)
		seen := map[string]bool{}
		for m := time.January; m <= time.December; m++ {
			name := monthName(m)
			if seen[name] || name == "" {
				t.Errorf("%s: month %d is %q", language, m, name)
			}
			seen[name] = true
			if language == "fr" && name == m.String() && m != time.December {
				t.Errorf("fr: month %d is in English: %q", m, name)
			}
		}
	}
}

// The dates the window shows use those formats: the contract's end on
// the products page, and the moment a change of address's link expires
// on the profile, in French.
func TestDatesShownInFrench(t *testing.T) {
	a, d, _ := demoAssistant(t, "fr")
	t.Cleanup(func() { setLanguage("en") })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	var head string
	var want string
	a.onUI(func() {
		want = dateText(a.me.Contract.Ends)
		head = labelsText(a.win.Content())
	})
	frenchDate := regexp.MustCompile(`^(1er|[0-9]{1,2}) (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) [0-9]{4}$`)
	if !frenchDate.MatchString(want) {
		t.Fatalf("the contract's end is written %q", want)
	}
	if !strings.Contains(head, "jusqu'au "+want+".") {
		t.Errorf("the products page does not say the contract's end as %q: %q", want, head)
	}

	act(a, func() { a.selectTab("profile") })
	s := a.profile
	tap(a, s.changeEmail)
	typeText(a, s.newEmail, "ana.new@example.com")
	tap(a, s.sendEmail)
	until := regexp.MustCompile(`jusqu'au (1er|[0-9]{1,2}) (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) [0-9]{4} à [0-9]{2}:[0-9]{2}\.`)
	if got := s.emailPending.Text; !until.MatchString(got) {
		t.Errorf("the link's expiry: %q", got)
	}
}

// A change of a person's address says when the start email goes (the
// contract's first day) or until when its password works, in the
// window's language, as the command line does.
func TestAddressChangeSaysWhen(t *testing.T) {
	t.Cleanup(func() { setLanguage("en") })
	starts := time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC)
	expires := time.Date(2026, time.December, 9, 18, 30, 0, 0, time.Local)
	user := api.User{ID: "u-42", Email: "nora@example.com", Name: "Nora Hale"}
	for _, tc := range []struct {
		name string
		sent *api.StartEmailSent
		want map[string]string
	}{
		{"before the contract starts", &api.StartEmailSent{Email: user.Email, StartsOn: &starts}, map[string]string{
			"en": "u-42's address is now nora@example.com: the start email goes to it when the subscription starts, on January 1, 2027.",
			"fr": "L'adresse de u-42 est désormais nora@example.com : l'e-mail de démarrage y sera envoyé au début de l'abonnement, le 1er janvier 2027."}},
		{"sent now", &api.StartEmailSent{Email: user.Email, Expires: expires}, map[string]string{
			"en": "u-42's address is now nora@example.com: a new start email is on its way to it (its temporary password works once, until December 9, 2026, 18:30), and the links sent to the old address no longer work.",
			"fr": "L'adresse de u-42 est désormais nora@example.com : un nouvel e-mail de démarrage y part (son mot de passe temporaire sert une fois, jusqu'au 9 décembre 2026 à 18:30), et les liens envoyés à l'ancienne adresse ne fonctionnent plus."}},
	} {
		for _, language := range []string{"en", "fr"} {
			setLanguage(language)
			if got := personChangedText(&account.UserUpdated{User: user, StartEmail: tc.sent}); got != tc.want[language] {
				t.Errorf("%s, %s:\n got %q\nwant %q", language, tc.name, got, tc.want[language])
			}
		}
	}
}

// Whole numbers have their thousands grouped as the language groups
// them, in the messages that count things too.
func TestNumbersGrouped(t *testing.T) {
	t.Cleanup(func() { setLanguage("en") })
	for _, tc := range []struct {
		language string
		n        int64
		want     string
	}{
		{"en", 0, "0"}, {"en", 999, "999"}, {"en", 5004, "5,004"}, {"en", 1234567, "1,234,567"}, {"en", -25000, "-25,000"},
		{"fr", 999, "999"}, {"fr", 5004, "5\u00a0004"}, {"fr", 1234567, "1\u00a0234\u00a0567"},
	} {
		setLanguage(tc.language)
		if got := intText(tc.n); got != tc.want {
			t.Errorf("%s: %d is %q, want %q", tc.language, tc.n, got, tc.want)
		}
	}
	setLanguage("fr")
	if got, want := countText(1668, 5004, 1), "1\u00a0668 utilisateurs affichés sur 5\u00a0004, 1 coché."; got != want {
		t.Errorf("fr: %q, want %q", got, want)
	}
	setLanguage("en")
	if got, want := countText(1668, 5004, 1667), "1,668 of 5,004 users shown, 1,667 ticked."; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
}
