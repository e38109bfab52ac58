package portal

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/trustelem/zxcvbn/frequency"
)

// Refusals of a new password beyond its length, for clients to word
// (problem codes password_too_common and password_rejected). Both are
// ErrWeakPassword too. Their messages never repeat the password.
var (
	ErrPasswordTooCommon = fmt.Errorf("%w: it is one of the most common passwords, or one with a few characters around it", ErrWeakPassword)
	ErrPasswordRejected  = fmt.Errorf("%w", ErrWeakPassword)
)

// commonPasswords are the 10,000 most frequent passwords of the list
// zxcvbn ranks (leaked password sets), lower case. Only the list is used,
// not zxcvbn's estimator, whose dictionaries are built when its package
// loads: every command importing this package would pay for it. The set is
// built on the first password change.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	list := frequency.FrequencyLists["passwords"]
	set := make(map[string]struct{}, 10_000)
	for _, p := range list[:min(len(list), 10_000)] {
		set[strings.ToLower(p)] = struct{}{}
	}
	return set
})

// checkCommon refuses what a guesser tries first (NIST SP 800-63B 3.1.1.2):
// a listed password, one with digits or symbols around it, a repeated
// unit, a run of consecutive letters or digits.
func checkCommon(password string) error {
	lower := []rune(strings.ToLower(password))
	common := commonPasswords()
	if unit := repeatedUnit(lower); unit != nil {
		if _, ok := common[string(unit)]; ok {
			return ErrPasswordTooCommon
		}
		if len(unit) <= 4 {
			return fmt.Errorf("%w: it repeats a few characters", ErrPasswordRejected)
		}
	}
	if isSequence(lower) {
		return fmt.Errorf("%w: it is a run of consecutive letters or digits", ErrPasswordRejected)
	}
	if _, ok := common[string(lower)]; ok {
		return ErrPasswordTooCommon
	}
	base := strings.TrimFunc(string(lower), func(r rune) bool { return !unicode.IsLetter(r) })
	if _, ok := common[base]; ok && len([]rune(base)) >= 3 {
		return ErrPasswordTooCommon
	}
	return nil
}

// repeatedUnit is the shortest unit s repeats (at least twice), or nil.
func repeatedUnit(s []rune) []rune {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n != 0 {
			continue
		}
		same := true
		for i := n; i < len(s) && same; i++ {
			same = s[i] == s[i-n]
		}
		if same {
			return s[:n]
		}
	}
	return nil
}

// isSequence reports whether every character follows the previous one in
// one direction, digits wrapping (…890123…).
func isSequence(s []rune) bool {
	if len(s) < 3 {
		return false
	}
	next := func(a, b rune, d rune) bool {
		if b-a == d {
			return true
		}
		return unicode.IsDigit(a) && unicode.IsDigit(b) && (d == 1 && a == '9' && b == '0' || d == -1 && a == '0' && b == '9')
	}
	for _, d := range []rune{1, -1} {
		ok := true
		for i := 1; i < len(s) && ok; i++ {
			ok = next(s[i-1], s[i], d)
		}
		if ok {
			return true
		}
	}
	return false
}
