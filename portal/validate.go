package portal

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"onramp.dev/onramp/api"
)

// Bounds on what people type: a name fits a table cell, an email address
// fits RFC 5321's path limit, a phone number fits any dial plan with
// spaces. Every input is bounded, so a 5 MiB name never reaches a list.
const (
	maxNameRunes  = 200
	MaxEmailBytes = 254
	maxPhoneBytes = 32
)

// Why a text is refused.
var (
	errNotUTF8      = errors.New("not valid UTF-8")
	errControlChars = errors.New("control characters (such as NUL, a tab, a line break or an escape) are not allowed")
	errBidiControls = errors.New("bidirectional-text controls (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C) are not allowed")
)

// checkText refuses what would corrupt a terminal, a CSV export or an
// email header, or make text read differently from what it is: invalid
// UTF-8, C0 and C1 controls, DEL, and bidirectional controls.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errNotUTF8
	}
	for _, r := range s {
		switch {
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return errControlChars
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return errBidiControls
		}
	}
	return nil
}

// fieldError is one refused field, with its code and English reason.
func fieldError(field, code, reason string) *api.FieldError {
	return &api.FieldError{Field: field, Code: code, Reason: field + ": " + reason}
}

// tooLong is a field over its limit.
func tooLong(field string, limit int, unit string) *api.FieldError {
	return &api.FieldError{Field: field, Code: api.FieldTooLong, Limit: limit, Reason: fmt.Sprintf("%s: at most %d %s", field, limit, unit)}
}

// checkField checks a text's length (in runes or bytes) and characters.
func checkField(field, s string, limit int, runes bool) *api.FieldError {
	n, unit := len(s), "bytes"
	if runes {
		n, unit = utf8.RuneCountInString(s), "characters"
	}
	if n > limit {
		e := tooLong(field, limit, unit)
		e.Reason += fmt.Sprintf(" (this one has %d)", n)
		return e
	}
	if err := checkText(s); err != nil {
		return fieldError(field, api.FieldBadCharacters, err.Error())
	}
	return nil
}

// checkName checks a person's or a company's name.
func checkName(field, s string) *api.FieldError { return checkField(field, s, maxNameRunes, true) }

// checkEmailText checks an email address's length and characters; its
// syntax is mail.ParseAddress's job. The address is not echoed: it may be
// megabytes long.
func checkEmailText(field, s string) *api.FieldError {
	return checkField(field, s, MaxEmailBytes, false)
}

// checkPhone checks a phone number.
func checkPhone(s string) *api.FieldError { return checkField(api.FieldPhone, s, maxPhoneBytes, false) }

// checkProfile checks what a user may change of their own record.
func checkProfile(name, phone string) error {
	var inv InvalidError
	inv.add(checkName(api.FieldName, name), checkPhone(phone))
	return inv.orNil()
}

// maxIDBytes bounds an ID a client names: the service's are 9 characters
// (users, seats) or 12 (seat keys).
const maxIDBytes = 64

// plausibleID reports whether s could be an ID the service made: ASCII
// letters and digits, short. Anything else names nothing, and is refused
// before it reaches a query (PostgreSQL refuses NUL in text, and would
// answer an error instead of "not found").
func plausibleID(s string) bool {
	if s == "" || len(s) > maxIDBytes {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
