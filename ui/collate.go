package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
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
var ligatures = map[rune]string{'œ': "oe", 'æ': "ae", 'ß': "ss", '’': "'", 'ʼ': "'"}

// foldText is s as searches compare it: lower-cased, without accents,
// ligatures spelled out. ASCII text, most of a list, costs one ToLower.
func foldText(s string) string {
	lower := strings.ToLower(s)
	ascii := true
	for i := 0; i < len(lower); i++ {
		if lower[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return lower
	}
	var b strings.Builder
	b.Grow(len(lower))
	for _, r := range lower {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case ligatures[r] != "":
			b.WriteString(ligatures[r])
		default:
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
		}
	}
	return b.String()
}

// searchWords are the runs of letters and digits of a folded text.
func searchWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// startsWord reports whether w starts a word of text: found at its start
// or after a character that is neither a letter nor a digit.
func startsWord(text, w string) bool {
	for at := 0; ; {
		i := strings.Index(text[at:], w)
		if i < 0 {
			return false
		}
		i += at
		if r, _ := utf8.DecodeLastRuneInString(text[:i]); i == 0 || (!unicode.IsLetter(r) && !unicode.IsNumber(r)) {
			return true
		}
		at = i + 1
	}
}
