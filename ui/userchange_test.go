package ui

import (
	"strings"
	"testing"

	"onramp.dev/onramp/account"
)

// An existing user added with nothing new (their name differed, or they
// had it all) was told "reçoit , et un e-mail qui le dit" though no email
// went out: an empty list is never worded, nor an email that was not sent.
func TestExistingUserAddedWithNothingNew(t *testing.T) {
	defer setLanguage("en")
	for _, language := range []string{"en", "fr"} {
		setLanguage(language)
		for _, c := range []account.Change{
			{Action: "update", Email: "agnes@acme.example", UserID: "U12345678"},
			{Action: "update", Email: "agnes@acme.example", UserID: "U12345678", Line: 3},
		} {
			for name, text := range map[string]string{"added": addedText(c), "change": changeText(c)} {
				if strings.Contains(text, " , ") || strings.Contains(text, ": ,") || strings.Contains(text, "gets ,") || strings.Contains(text, "reçoit ,") {
					t.Errorf("%s %s: an empty list worded: %q", language, name, text)
				}
				if strings.Contains(text, "an email saying so") || strings.Contains(text, "un e-mail qui le dit") {
					t.Errorf("%s %s: tells of an email nobody sent: %q", language, name, text)
				}
				if !strings.Contains(text, "agnes@acme.example") {
					t.Errorf("%s %s: %q does not name the person", language, name, text)
				}
			}
		}
		c := account.Change{Action: "update", Email: "agnes@acme.example", Added: []string{"atlas", "install"}}
		if text := addedText(c); !strings.Contains(text, "atlas, install") {
			t.Errorf("%s: what was added is not said: %q", language, text)
		}
	}
}
