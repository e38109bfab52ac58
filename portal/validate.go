package portal

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Bounds on what people type: a name fits a table cell, an email address
// fits RFC 5321's path limit, a phone number fits any dial plan with
// spaces. Every input is bounded, so a 5 MiB name never reaches a list.
const (
	maxNameRunes  = 200
	maxEmailBytes = 254
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

// checkName checks a person's or a company's name.
func checkName(field, s string) error {
	if n := utf8.RuneCountInString(s); n > maxNameRunes {
		return fmt.Errorf("%s: at most %d characters (this one has %d)", field, maxNameRunes, n)
	}
	if err := checkText(s); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// checkEmailText checks an email address's length and characters; its
// syntax is mail.ParseAddress's job. The address is not echoed: it may be
// megabytes long.
func checkEmailText(s string) error {
	if len(s) > maxEmailBytes {
		return fmt.Errorf("email: at most %d bytes (this one has %d)", maxEmailBytes, len(s))
	}
	if err := checkText(s); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return nil
}

// checkPhone checks a phone number.
func checkPhone(s string) error {
	if len(s) > maxPhoneBytes {
		return fmt.Errorf("phone: at most %d characters", maxPhoneBytes)
	}
	if err := checkText(s); err != nil {
		return fmt.Errorf("phone: %w", err)
	}
	return nil
}

// checkProfile checks what a user may change of their own record.
func checkProfile(name, phone string) error {
	var problems []string
	for _, err := range []error{checkName("name", name), checkPhone(phone)} {
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return &InvalidError{problems}
	}
	return nil
}
