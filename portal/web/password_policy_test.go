package portal

import (
	"errors"
	"strings"
	"testing"
)

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

// Over HTTP the refusals carry codes a client words.
func TestPasswordProblemCodes(t *testing.T) {
	tests := []struct {
		name, password, code string
	}{
		{"short", "short", "weak_password"},
		{"repeated", "aaaaaaaaaaaa", "password_rejected"},
		{"common", "password1234", "password_too_common"},
	}
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	code, s, _ := signIn(p, uid, temp)
	if code != 200 {
		t.Fatalf("sign-in: %d", code)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prob Problem
			if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": tt.password}, &prob); code != 422 || prob.Code != tt.code {
				t.Errorf("%d %+v, want 422 %s", code, prob, tt.code)
			}
		})
	}
}
