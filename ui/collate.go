package ui

import (
	"strings"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Lists sort as the language spoken sorts ("Élodie" before "Zoé", case
// second), and search ignores accents and case ("helene dupre" finds
// "Hélène Dupré"): byte order puts every accented capital after "z".

// collator sorts in the language spoken ("en" or "fr"). A collator is not
// safe for concurrent use; the window sorts on its UI goroutine only.
func collator(speaks string) *collate.Collator {
	tag := language.English
	if speaks == "fr" {
		tag = language.French
	}
	return collate.New(tag)
}

// ligatures are the letters that a search typed on a plain keyboard
// spells as two.
var ligatures = strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss", "’", "'", "ʼ", "'")

// foldText is s as searches compare it: lower-cased, without accents,
// ligatures spelled out.
func foldText(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		folded = strings.ToLower(s)
	}
	return ligatures.Replace(folded)
}

// searchWords are the runs of letters and digits of a folded text.
func searchWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}
