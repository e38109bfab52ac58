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
