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
// plural and has its forms ("one", "other") in assets/lang/plural, in both
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
	// (plural), kept apart in assets/lang/plural. French puts 0 with 1
	// ("0 utilisateur coché"), English with the others ("0 users").
	data := merge(assets.FyneTranslation("fr"), assets.Translation("fr"), pluralForms(assets.PluralTranslation("fr"), true))
	if code == "en" {
		data = merge(assets.FyneTranslation("en"), identity(assets.Translation("fr")), pluralForms(assets.PluralTranslation("en"), false))
	}
	if err := lang.AddTranslationsForLocale(data, lang.SystemLocale()); err != nil {
		fyne.LogError("translations", err)
		return "en"
	}
	return code
}

// pluralForms loads each message that changes with a number as one
// message per form, its key followed by the form's name: "one", "other",
// and "zero" (the one form or the other, as zeroIsOne says). Fyne's own
// plurals (lang.N) pick the form by the rules of the system's language,
// under whose locale the messages are loaded: a French window on an
// English system said "0 cochés", and on a system whose language has no
// singular (Japanese) it would say "1 utilisateurs".
func pluralForms(data []byte, zeroIsOne bool) []byte {
	var m map[string]map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		fyne.LogError("plural translations", err)
		return []byte("{}")
	}
	out := map[string]string{}
	for key, forms := range m {
		out[key+pluralMark+"one"], out[key+pluralMark+"other"] = forms["one"], forms["other"]
		out[key+pluralMark+"zero"] = forms["other"]
		if zeroIsOne {
			out[key+pluralMark+"zero"] = forms["one"]
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// pluralMark joins a plural message's key and the name of its form.
const pluralMark = "\x1f"

// plural is the message key, with data, in the form that agrees with
// count, in the language spoken; count is also in data, under the
// message's own name.
func plural(key string, count int, data ...any) string {
	form := "other"
	switch count {
	case 0:
		form = "zero"
	case 1:
		form = "one"
	}
	for i, v := range data {
		if m, ok := v.(map[string]any); ok {
			data[i] = numbers(m)
		}
	}
	return lang.L(key+pluralMark+form, data...)
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
