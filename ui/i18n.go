package ui

import (
	"encoding/json"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"onramp.dev/onramp/assets"
)

// Every visible string is written in English in the code, wrapped in
// lang.L, and translated by assets/lang/fr.json (a test checks that each
// one has its French). A message that changes with a number is wrapped in
// lang.N and has its forms ("one", "other") in assets/lang/plural, in both
// languages. Fyne's own messages (its file dialog) come from a copy of
// Fyne's translations in assets/lang/fyne, loaded with ours.
//
// Fyne's lang package picks the language from the system and offers no
// switch. The switch works by loading the chosen language's messages under
// the system's locale, which is the one Fyne's localizer reads: French
// messages under "en-US" make an English system speak French, and English
// messages (the identity map) put it back.

// setLanguage switches to "en" or "fr", or to the system's language (""),
// and returns the language now spoken.
func setLanguage(code string) string {
	if code == "" {
		code = "en"
		if strings.HasPrefix(lang.SystemLocale().LanguageString(), "fr") {
			code = "fr"
		}
	}
	// Fyne's own messages first, so that the window's win where both
	// translate a text; then the messages that change with a number
	// (lang.N), kept apart in assets/lang/plural.
	data := merge(assets.FyneTranslation("fr"), assets.Translation("fr"), everyForm(assets.PluralTranslation("fr")))
	if code == "en" {
		data = merge(assets.FyneTranslation("en"), identity(assets.Translation("fr")), everyForm(assets.PluralTranslation("en")))
	}
	if err := lang.AddTranslationsForLocale(data, lang.SystemLocale()); err != nil {
		fyne.LogError("translations", err)
		return "en"
	}
	return code
}

// everyForm gives each message that changes with a number every CLDR
// form, the missing ones as its "other": the plural rules applied are the
// system's language's (the messages are loaded under its locale), and a
// form missing for that language would make the message English.
func everyForm(data []byte) []byte {
	var m map[string]map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		fyne.LogError("plural translations", err)
		return []byte("{}")
	}
	for _, forms := range m {
		for _, f := range []string{"zero", "one", "two", "few", "many"} {
			if _, ok := forms[f]; !ok {
				forms[f] = forms["other"]
			}
		}
	}
	out, _ := json.Marshal(m)
	return out
}

// merge joins translation files; a later file's message replaces an
// earlier one's.
func merge(files ...[]byte) []byte {
	all := map[string]json.RawMessage{}
	for _, f := range files {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(f, &m); err != nil {
			fyne.LogError("translations", err)
			continue
		}
		for k, v := range m {
			all[k] = v
		}
	}
	out, _ := json.Marshal(all)
	return out
}

// identity maps every key of a translation file to itself: English.
func identity(data []byte) []byte {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return []byte("{}")
	}
	for k := range m {
		m[k] = k
	}
	out, _ := json.Marshal(m)
	return out
}
