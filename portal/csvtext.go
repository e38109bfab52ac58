package portal

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"onramp.dev/onramp/api"
)

// csvText turns a CSV file as spreadsheet tools save it into UTF-8 text and
// its field separator. French Excel writes ";" between fields, "CSV UTF-8"
// with a byte-order mark, and plain "CSV" in Windows-1252; all are read.
// A file in another encoding is refused with a RowError naming it, rather
// than read as garbage that fails line by line.
func csvText(data []byte) ([]byte, rune, *api.RowError) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return nil, 0, badEncoding("UTF-16")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Windows-1252 is what Excel's plain "CSV" writes on Windows in
		// western Europe; a byte it leaves undefined means another encoding.
		text, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
			return nil, 0, badEncoding("")
		}
		data = text
	}
	if len(data) >= 2 && (data[0] == 0 || data[1] == 0) {
		// A NUL beside the first letter: UTF-16 saved without its mark. A
		// NUL further on is a control character in a field, reported on
		// its line.
		return nil, 0, badEncoding("UTF-16")
	}
	return data, headerSeparator(data), nil
}

func badEncoding(name string) *api.RowError {
	what := "an encoding other than UTF-8 or Windows-1252"
	if name != "" {
		what = name
	}
	return &api.RowError{Line: 1, Code: api.RowBadEncoding, Value: name,
		Reason: "the file is in " + what + ": in Excel, save it as \"CSV UTF-8 (Comma delimited)\" (in French: \"CSV UTF-8 (délimité par des virgules)\")"}
}

// headerSeparator is ";" when the first line holds more semicolons than
// commas outside quotes, else ",".
func headerSeparator(data []byte) rune {
	commas, semis := 0, 0
	quoted := false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case c == ',':
			commas++
		case c == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}
