package catalog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func TestEnvelope(t *testing.T) {
	payload := readTestdata(t, "minimal.json")
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	publisher, other, next := newKey(t), newKey(t), newKey(t)

	signed, err := Sign(payload, now, 30*24*time.Hour, publisher)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := Sign(payload, now, 30*24*time.Hour, publisher, next)
	if err != nil {
		t.Fatal(err)
	}
	byOther, err := Sign(payload, now, 30*24*time.Hour, other)
	if err != nil {
		t.Fatal(err)
	}
	flipped := flipPayloadByte(t, signed)
	unsigned := dropSignatures(t, signed)

	trusted := NewKeyring(pub(publisher))
	tests := []struct {
		name string
		keys *Keyring
		doc  []byte
		at   time.Time
		want error
	}{
		{"good", trusted, signed, now.Add(time.Hour), nil},
		{"one-changed-byte", trusted, flipped, now, ErrBadSignature},
		{"expired", trusted, signed, now.Add(31 * 24 * time.Hour), ErrExpired},
		{"expires-exactly-now", trusted, signed, now.Add(30 * 24 * time.Hour), ErrExpired},
		{"other-key", trusted, byOther, now, ErrUntrustedKey},
		{"unsigned", trusted, unsigned, now, ErrUnsigned},
		{"bare-catalog", trusted, payload, now, ErrUnsigned},
		{"garbage", trusted, []byte("\x00\x01"), now, ErrEnvelope},
		{"rotation-old-key-only", trusted, rotated, now, nil},
		{"rotation-new-key-only", NewKeyring(pub(next)), rotated, now, nil},
		{"empty-keyring", NewKeyring(), signed, now, ErrUntrustedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.keys.Open(tt.doc, tt.at)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if !bytes.Equal(v.Payload, payload) {
					t.Error("payload differs from what was signed")
				}
				return
			}
			if !errors.Is(err, tt.want) || !IsIntegrity(err) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignRefusesInvalidCatalog(t *testing.T) {
	_, err := Sign([]byte(`{"schema": 1}`), time.Now(), time.Hour, newKey(t))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Sign of an invalid catalog: %v", err)
	}
}

func TestSignatureCoversExpiry(t *testing.T) {
	k := newKey(t)
	now := time.Now()
	signed, err := Sign(readTestdata(t, "minimal.json"), now, time.Hour, k)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]any
	if err := json.Unmarshal(signed, &env); err != nil {
		t.Fatal(err)
	}
	env["expires"] = now.Add(1000 * time.Hour).UTC().Format(time.RFC3339)
	extended, _ := json.Marshal(env)
	if _, err := NewKeyring(pub(k)).Open(extended, now.Add(2*time.Hour)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a catalog with a pushed-back expiry: %v, want ErrBadSignature", err)
	}
}

func TestKeyFormats(t *testing.T) {
	k := newKey(t)
	text := FormatPublicKey(pub(k))
	got, err := ParsePublicKey([]byte(text + "\n"))
	if err != nil || !got.Equal(pub(k)) {
		t.Fatalf("ParsePublicKey(%q) = %v, %v", text, got, err)
	}
	pemKey, err := MarshalPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(append([]byte("a comment before the block\n"), pemKey...))
	if err != nil || !back.Equal(k) {
		t.Fatalf("ParsePrivateKey: %v", err)
	}
	for _, bad := range []string{"ed25519:AAAA", "ssh-ed25519 AAAA", "", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParsePublicKey([]byte(bad)); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted it", bad)
		}
	}
	if _, err := ParsePrivateKey([]byte(text)); err == nil || strings.Contains(err.Error(), text) {
		t.Errorf("ParsePrivateKey of a public key: %v", err)
	}
}

func flipPayloadByte(t *testing.T, signed []byte) []byte {
	t.Helper()
	var env Envelope
	if err := json.Unmarshal(signed, &env); err != nil {
		t.Fatal(err)
	}
	env.Payload[len(env.Payload)/2] ^= 0x01
	out, _ := json.Marshal(env)
	return out
}

func dropSignatures(t *testing.T, signed []byte) []byte {
	t.Helper()
	var env Envelope
	if err := json.Unmarshal(signed, &env); err != nil {
		t.Fatal(err)
	}
	env.Signatures = nil
	out, _ := json.Marshal(env)
	return out
}
