// Package clip shortens texts that an answer or a log line quotes: a bad
// value is quoted, not echoed, so what is written stays bounded whatever
// a client sent. The account service and its HTTP layer both use it.
package clip

import "unicode/utf8"

// Text shortens s to at most n bytes, cut on a character boundary and
// marked with an ellipsis when there is room for one.
func Text(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	mark := ellipsis
	if n < len(ellipsis) {
		mark = "" // no room for the mark: the text alone, cut
	}
	cut := max(n-len(mark), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
