package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// termSafe makes a string from outside (the account service, a file) safe
// to write to a terminal: control characters (C0 with tab and newline, DEL,
// C1), bidirectional overrides and isolates, and bytes that are not UTF-8
// are written as Go escapes (\x1b, \u202e), so a user's name can neither
// send escape sequences (retitle the window, rewrite the screen, plant
// clipboard content through OSC 52) nor reorder what the reader sees.
// JSON output needs none of this: encoding/json escapes the same.
func termSafe[S ~string](s S) string { return escapeTerm(string(s), false) }

// termSafeText is termSafe for a message of several lines: newlines stay.
func termSafeText(s string) string { return escapeTerm(s, true) }

func escapeTerm(s string, keepNewlines bool) string {
	i := strings.IndexFunc(s, func(r rune) bool { return unsafeRune(r) && !(keepNewlines && r == '\n') })
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case keepNewlines && r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// unsafeRune: C0, DEL, C1, and the bidirectional controls (embeddings and
// overrides U+202A–U+202E, isolates U+2066–U+2069, marks U+200E, U+200F,
// U+061C).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// termSafeList escapes each element of a list, for printing joined.
func termSafeList[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = termSafe(s)
	}
	return out
}
