package portal

import (
	"errors"
	"strings"
	"testing"
)

func TestNewPasswordRules(t *testing.T) {
	tests := []struct {
		pw, want string
	}{
		{"short", "12 characters"},
		{"the same temporary", "other than the temporary"},
		{"my id is UABCDEFGH ok", "user ID"},
		{"annabelle rocks forever", "user ID or email"},
		{"a perfectly fine passphrase", ""},
		{"bo is in above, but short", ""},
	}
	for _, tt := range tests {
		err := checkNewPassword(tt.pw, &User{ID: "UABCDEFGH", Email: "annabelle@x.example"}, "the same temporary")
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%q: %v, want %q", tt.pw, err, tt.want)
		}
		if tt.pw == "bo is in above, but short" {
			if err := checkNewPassword(tt.pw, &User{ID: "UABCDEFGH", Email: "bo@x.example"}, "x"); err != nil {
				t.Errorf("a two-letter local part refuses %q: %v", tt.pw, err)
			}
		}
	}
}

// The service refuses a new password that is common, a common one with
// digits or symbols around it, a repetition, a sequence, or one made of
// the user's own ID or email (NIST SP 800-63B, 3.1.1.2).
func TestNewPasswordPolicy(t *testing.T) {
	const id, email, temp = "UABCD2345", "annabelle@acme.example", "Xy7k-9PqR-mN3z"
	tests := []struct {
		name, password string
		want           error // nil: accepted
	}{
		{"passphrase", "correct horse battery staple", nil},
		{"passphrase-with-digits", "horse battery 2026 staple", nil},
		{"unicode-passphrase", "un été à la montagne, enfin", nil},
		{"random", "k7#Vq9!mZp2@Lw", nil},
		{"common-with-a-word-inside", "my dragon sleeps at noon", nil},

		{"too-short", "abc", ErrWeakPassword},
		{"one-character", "aaaaaaaaaaaa", ErrPasswordRejected},
		{"one-character-unicode", "éééééééééééééé", ErrPasswordRejected},
		{"one-digit", "000000000000", ErrPasswordRejected},
		{"short-unit-repeated", "abcabcabcabc", ErrPasswordRejected},
		{"pair-repeated", "abababababababab", ErrPasswordRejected},
		{"digits-in-order", "123456789012", ErrPasswordRejected},
		{"letters-in-order", "abcdefghijklm", ErrPasswordRejected},
		{"letters-backwards", "zyxwvutsrqpon", ErrPasswordRejected},
		{"common-long", "qwerty123456", ErrPasswordTooCommon},
		{"common-long-upper", "LEAVEMEALONE", ErrPasswordTooCommon},
		{"common-with-digits", "password1234", ErrPasswordTooCommon},
		{"common-with-symbols", "!!monkey2024!!", ErrPasswordTooCommon},
		{"common-repeated", "passwordpassword", ErrPasswordTooCommon},
		{"common-in-caps-with-digits", "Iloveyou12345", ErrPasswordTooCommon},
		{"user-id", "my id is uabcd2345 ok", ErrPasswordRejected},
		{"email-local-part", "annabelle rocks forever", ErrPasswordRejected},
		{"the-temporary-one", temp, ErrPasswordRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkNewPassword(tt.password, &User{ID: id, Email: email}, temp)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrWeakPassword) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if msg := err.Error(); len(tt.password) > 4 && strings.Contains(msg, tt.password) {
				t.Errorf("the error repeats the password: %s", msg)
			}
		})
	}
}
