package portal

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Password hashes are argon2id (memory-hard), written in the PHC format:
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH. The parameters are OWASP's
// minimum; they travel with each hash, so they can be raised later.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
}

var defaultArgon = argonParams{memory: 19 * 1024, time: 2, threads: 1}

// HashPassword hashes a password for storage.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := defaultArgon
	key := argonKey([]byte(password), salt, p, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// hashTemporary hashes a temporary password: those are random (about 69
// bits, from newTemporaryPassword), so no dictionary can guess them and a
// salted SHA-256 protects them as well as a slow hash would, at a cost an
// import of 10,000 users can pay (argon2id would take 10,000 × 25 ms of
// CPU). Verifying one still costs one argon2id evaluation (CheckPassword),
// so that timing tells nothing. Passwords people choose are argon2id.
func hashTemporary(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	sum := sha256.Sum256(append(salt, password...))
	return "$sha256t$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// dummyHash is checked against when a user does not exist, so that a
// wrong user ID costs the same time as a wrong password. It is a random
// salt and key in the format of a real hash: verifying it costs one
// argon2id evaluation and matches nothing, and making it costs none, so
// no command pays a KDF at start-up.
var dummyHash = sync.OnceValue(func() string {
	salt, key := make([]byte, 16), make([]byte, 32)
	rand.Read(salt)
	rand.Read(key)
	p := defaultArgon
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
})

// kdfSlots bounds the argon2id evaluations running at once to the number
// of cores: each holds 19 MiB, so a burst of 50 sign-ins would otherwise
// take about 1 GiB; queued, they finish as fast and memory stays flat.
var kdfSlots = make(chan struct{}, runtime.NumCPU())

// onKDF, when set (by tests only), sees every argon2id evaluation.
var onKDF func(argonParams)

// kdfEvaluations counts every argon2id evaluation of the process.
var kdfEvaluations atomic.Int64

// KDFEvaluations is how many argon2id evaluations (each password checked
// or hashed) the process has made: the work a burst of sign-ins cost,
// which the sign-in limits bound.
func KDFEvaluations() int64 { return kdfEvaluations.Load() }

func argonKey(password, salt []byte, p argonParams, n uint32) []byte {
	kdfEvaluations.Add(1)
	if onKDF != nil {
		onKDF(p)
	}
	kdfSlots <- struct{}{}
	defer func() { <-kdfSlots }()
	return argon2.IDKey(password, salt, p.time, p.memory, p.threads, n)
}

// CheckPassword reports whether password matches the stored hash.
func CheckPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) == 4 && parts[1] == "sha256t" {
		salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
		want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
		if err1 != nil || err2 != nil {
			return false
		}
		// One argon2id evaluation with the default parameters, whose result
		// is not needed: a temporary password must cost what every other
		// check costs, or the answer's time tells which accounts still
		// have one.
		argonKey([]byte(password), salt, defaultArgon, 32)
		got := sha256.Sum256(append(salt, password...))
		return subtle.ConstantTimeCompare(got[:], want) == 1
	}
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || p.memory > 1<<20 || p.time > 16 || p.threads == 0 {
		return false
	}
	got := argonKey([]byte(password), salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// newToken is 32 random bytes, base64url: what the client holds. Only its
// SHA-256 is stored, so a copy of the database opens no session.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failing is not recoverable
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IDs and temporary passwords use an alphabet without look-alikes
// (no 0/O, 1/I/L), since people read them from an email and type them.
const idAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func randomString(n int, alphabet string) string {
	// Rejection sampling over random bytes: a byte below the largest
	// multiple of the alphabet's size picks a symbol, uniformly; one
	// system call for the whole string, not one a symbol (imports make
	// thousands of IDs and passwords).
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err)
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

func newUserID() string     { return "U" + randomString(8, idAlphabet) }
func newContractID() string { return "C" + randomString(8, idAlphabet) }

// newTemporaryPassword is three groups of four from 54 symbols, about 69 bits.
func newTemporaryPassword() string {
	const alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ"
	return randomString(4, alphabet) + "-" + randomString(4, alphabet) + "-" + randomString(4, alphabet)
}

// ErrWeakPassword explains what a new password lacks.
var ErrWeakPassword = errors.New("password too weak")

// checkNewPassword enforces a length rule (NIST 800-63B: length over
// composition), refuses the obvious (u's ID or email, old) and the common
// (checkCommon).
func checkNewPassword(password string, u *User, old string) error {
	userID, email := u.ID, u.Email
	switch {
	case len([]rune(password)) < 12:
		return fmt.Errorf("%w: use at least 12 characters", ErrWeakPassword)
	case len(password) > 256:
		return fmt.Errorf("%w: use at most 256 characters", ErrWeakPassword)
	case password == old:
		return fmt.Errorf("%w: choose a password other than the temporary one", ErrPasswordRejected)
	case strings.Contains(strings.ToLower(password), strings.ToLower(userID)),
		len(localPart(email)) >= 4 && strings.Contains(strings.ToLower(password), localPart(email)):
		return fmt.Errorf("%w: do not use your user ID or email in it", ErrPasswordRejected)
	}
	return checkCommon(password)
}

// localPart is the part of an email before the @, lowercased.
func localPart(email string) string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	return local
}
