package ui

import (
	"strings"
	"testing"

	"onramp.dev/onramp/account"
)

// Adding a member again with another name never renames them, and the
// window says so rather than letting the admin believe a new name saved.
func TestAddedTextSaysNameKept(t *testing.T) {
	defer setLanguage("en")
	for _, language := range []string{"en", "fr"} {
		setLanguage(language)
		c := account.Change{Action: "unchanged", Email: "agnes@acme.example", UserID: "u1", NameDiffers: "Agnès André"}
		for name, text := range map[string]string{"added": addedText(c), "change": changeText(c)} {
			if !strings.Contains(text, "Agnès André") || (language == "fr" && !strings.Contains(text, "Son nom reste")) {
				t.Errorf("%s %s: %q does not name the name kept", language, name, text)
			}
		}
		c.NameDiffers = ""
		if text := addedText(c); strings.Contains(text, "Agnès") {
			t.Errorf("%s: %q", language, text)
		}
	}
}

// The import preview's counts take their plural: "1 nouvel utilisateur",
// never "1 nouveaux utilisateurs".
func TestPreviewCountsPlural(t *testing.T) {
	defer setLanguage("en")
	one := []account.Change{{Action: "create", Email: "a@acme.example"}, {Action: "update", Email: "b@acme.example"}}
	two := append(one, account.Change{Action: "create", Email: "c@acme.example"}, account.Change{Action: "update", Email: "d@acme.example"})
	for _, tc := range []struct {
		language string
		changes  []account.Change
		want     string
	}{
		{"en", one, "1 new user, 1 changed, 0 unchanged."},
		{"en", two, "2 new users, 2 changed, 0 unchanged."},
		{"fr", one, "1 nouvel utilisateur, 1 modifié, "},
		{"fr", two, "2 nouveaux utilisateurs, 2 modifiés, "},
	} {
		setLanguage(tc.language)
		if got := previewText(tc.changes); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q lacks %q", tc.language, got, tc.want)
		}
	}
}
