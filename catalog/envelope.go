package catalog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// EnvelopeFormat names the signed-catalog format.
const EnvelopeFormat = "onramp-signed-catalog/v1"

// Envelope is a catalog as it travels: the exact payload bytes, an expiry,
// and one or more ed25519 signatures over both. Several signatures let a
// publisher rotate keys: sign with the old and the new key until every
// assistant trusts the new one.
type Envelope struct {
	Format     string      `json:"format"`
	Issued     string      `json:"issued"`  // RFC 3339
	Expires    string      `json:"expires"` // RFC 3339
	Payload    []byte      `json:"payload"` // base64 in JSON
	Signatures []Signature `json:"signatures"`
}

// Signature is one key's signature over an envelope.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   []byte `json:"sig"`
}

// Errors matched with errors.Is; each is an integrity failure (IsIntegrity).
var (
	ErrEnvelope     = errors.New("not a signed catalog")
	ErrUnsigned     = errors.New("catalog is not signed")
	ErrUntrustedKey = errors.New("catalog is signed with a key that is not trusted")
	ErrBadSignature = errors.New("signature does not match: the catalog was changed after it was signed")
	ErrExpired      = errors.New("catalog has expired")
)

// IsIntegrity reports whether err means a catalog failed its signature,
// expiry, rollback or envelope checks, as opposed to a schema problem in its content.
func IsIntegrity(err error) bool {
	for _, e := range []error{ErrEnvelope, ErrUnsigned, ErrUntrustedKey, ErrBadSignature, ErrExpired, ErrRollback} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// MaxEnvelopeBytes bounds a signed catalog file.
const MaxEnvelopeBytes = MaxPayloadBytes*4/3 + 64<<10

// signedMessage is what the signatures cover. The format name separates
// these signatures from any other use of the key; issued and expires come
// before the payload, and contain no newline, so the message is unambiguous.
func signedMessage(format, issued, expires string, payload []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(payload) + 128)
	fmt.Fprintf(&b, "%s\nissued=%s\nexpires=%s\n", format, issued, expires)
	b.Write(payload)
	return b.Bytes()
}

// Sign wraps payload in an envelope signed by every given key, valid from
// now until now+ttl. The payload is checked with Parse first: a publisher
// cannot sign a catalog that assistants would refuse.
func Sign(payload []byte, now time.Time, ttl time.Duration, keys ...ed25519.PrivateKey) ([]byte, error) {
	if len(keys) == 0 {
		return nil, errors.New("sign: no signing key")
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("sign: validity %v must be positive", ttl)
	}
	if _, err := Parse(payload); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	env := Envelope{
		Format:  EnvelopeFormat,
		Issued:  now.UTC().Truncate(time.Second).Format(time.RFC3339),
		Expires: now.Add(ttl).UTC().Truncate(time.Second).Format(time.RFC3339),
		Payload: payload,
	}
	msg := signedMessage(env.Format, env.Issued, env.Expires, payload)
	for _, k := range keys {
		if len(k) != ed25519.PrivateKeySize {
			return nil, errors.New("sign: malformed ed25519 private key")
		}
		env.Signatures = append(env.Signatures, Signature{
			KeyID: KeyID(k.Public().(ed25519.PublicKey)),
			Sig:   ed25519.Sign(k, msg),
		})
	}
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Keyring is the set of public keys an assistant trusts.
type Keyring struct {
	keys map[string]ed25519.PublicKey
}

// NewKeyring trusts the given keys.
func NewKeyring(keys ...ed25519.PublicKey) *Keyring {
	k := &Keyring{keys: map[string]ed25519.PublicKey{}}
	for _, pub := range keys {
		k.Add(pub)
	}
	return k
}

// Add trusts one more key.
func (k *Keyring) Add(pub ed25519.PublicKey) { k.keys[KeyID(pub)] = pub }

// IDs lists the trusted keys' IDs.
func (k *Keyring) IDs() []string { return sortedKeys(k.keys) }

// Verified is an envelope that passed Open (or Verify).
type Verified struct {
	Payload []byte
	KeyID   string // the first trusted key whose signature matched
	// Signers are every trusted key whose signature matched: the rollback
	// history is kept per key, and a catalog signed while rotating keys
	// counts for both.
	Signers []string
	Issued  time.Time
	Expires time.Time
}

// Open checks an envelope: its form, that a trusted key signed exactly these
// bytes, and that it has not expired at now. It returns the payload; parse
// it with Parse. Every failure matches one of the Err* integrity errors.
func (k *Keyring) Open(data []byte, now time.Time) (*Verified, error) {
	v, err := k.Verify(data)
	if err != nil {
		return nil, err
	}
	if !now.Before(v.Expires) {
		return nil, fmt.Errorf("%w on %s (signed by key %s); ask the publisher for a current catalog",
			ErrExpired, v.Expires.UTC().Format(time.RFC3339), v.KeyID)
	}
	return v, nil
}

// Verify checks an envelope's form and that a trusted key signed exactly
// these bytes, but not its expiry: for a catalog pinned in a deployment
// folder, which seats install from long after it was made. Every failure
// matches one of the Err* integrity errors.
func (k *Keyring) Verify(data []byte) (*Verified, error) {
	env, err := ReadEnvelope(data)
	if err != nil {
		return nil, err
	}
	if len(env.Signatures) == 0 {
		return nil, ErrUnsigned
	}
	issued, _ := time.Parse(time.RFC3339, env.Issued)
	expires, _ := time.Parse(time.RFC3339, env.Expires)
	msg := signedMessage(env.Format, env.Issued, env.Expires, env.Payload)
	var untrusted, failed, signers []string
	for _, s := range env.Signatures {
		pub, ok := k.keys[s.KeyID]
		switch {
		case !ok:
			untrusted = append(untrusted, s.KeyID)
		case !ed25519.Verify(pub, msg, s.Sig):
			failed = append(failed, s.KeyID)
		case !slices.Contains(signers, s.KeyID):
			signers = append(signers, s.KeyID)
		}
	}
	switch {
	case len(signers) > 0:
		return &Verified{Payload: env.Payload, KeyID: signers[0], Signers: signers, Issued: issued, Expires: expires}, nil
	case len(failed) > 0:
		return nil, fmt.Errorf("key %s: %w", strings.Join(failed, ", "), ErrBadSignature)
	}
	return nil, fmt.Errorf("%w: signed by %s; trusted: %s", ErrUntrustedKey,
		strings.Join(untrusted, ", "), orNone(strings.Join(k.IDs(), ", ")))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ReadEnvelope parses an envelope's form without checking signatures, so a
// checker can still look at the payload of a refused catalog.
func ReadEnvelope(data []byte) (*Envelope, error) {
	if len(data) > MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: %d bytes is more than the limit of %d", ErrEnvelope, len(data), MaxEnvelopeBytes)
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) == nil && top["payload"] == nil && (top["products"] != nil || top["schema"] != nil) {
		return nil, fmt.Errorf("%w: this is a bare catalog, not a signed envelope; sign it with 'assistant catalog sign'", ErrUnsigned)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var env Envelope
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEnvelope, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: unexpected data after the envelope", ErrEnvelope)
	}
	switch {
	case env.Format != EnvelopeFormat:
		return nil, fmt.Errorf("%w: format %q, want %q", ErrEnvelope, env.Format, EnvelopeFormat)
	}
	if _, err := time.Parse(time.RFC3339, env.Expires); err != nil {
		return nil, fmt.Errorf("%w: expires %q is not an RFC 3339 time", ErrEnvelope, env.Expires)
	}
	if _, err := time.Parse(time.RFC3339, env.Issued); err != nil {
		return nil, fmt.Errorf("%w: issued %q is not an RFC 3339 time", ErrEnvelope, env.Issued)
	}
	for i, s := range env.Signatures {
		if len(s.Sig) != ed25519.SignatureSize || len(s.KeyID) != 16 {
			return nil, fmt.Errorf("%w: signatures[%d] is malformed", ErrEnvelope, i)
		}
	}
	return &env, nil
}

// Public keys are written as "ed25519:BASE64" (one line, for configuration
// files) or as a PEM "PUBLIC KEY" block (what openssl writes).

// ParsePublicKey reads a public key in either form.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	s := strings.TrimSpace(string(data))
	if b64, ok := strings.CutPrefix(s, "ed25519:"); ok {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("public key: want \"ed25519:\" and %d bytes in base64", ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(raw), nil
	}
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("public key: want \"ed25519:BASE64\" or a PEM PUBLIC KEY block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key: want ed25519, found %T", key)
	}
	return pub, nil
}

// FormatPublicKey writes "ed25519:BASE64".
func FormatPublicKey(pub ed25519.PublicKey) string {
	return "ed25519:" + base64.StdEncoding.EncodeToString(pub)
}

// ParsePrivateKey reads a PEM "PRIVATE KEY" block (PKCS #8, as written by
// MarshalPrivateKey and by `openssl genpkey -algorithm ed25519`).
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("private key: want a PEM PRIVATE KEY block (PKCS #8)")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("private key: malformed PKCS #8 data")
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key: want ed25519, found %T", key)
	}
	return priv, nil
}

// MarshalPrivateKey writes a PEM "PRIVATE KEY" block.
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
