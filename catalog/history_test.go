package catalog

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Catalog A issued t1 and B issued t2 > t1 by one
// publisher; B then A is a rollback (replaying A would bring back what B
// replaced), A then B and B twice are not.
func TestHistoryRefusesRollback(t *testing.T) {
	payload := readTestdata(t, "minimal.json")
	publisher, other := newKey(t), newKey(t)
	t1 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	t2 := t1.Add(30 * 24 * time.Hour)
	sign := func(at time.Time, keys ...ed25519.PrivateKey) *Verified {
		t.Helper()
		signed, err := Sign(payload, at, 365*24*time.Hour, keys...)
		if err != nil {
			t.Fatal(err)
		}
		v, err := NewKeyring(pub(publisher), pub(other)).Open(signed, t2.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := sign(t1, publisher), sign(t2, publisher)
	aOther := sign(t1, other)
	bRotated := sign(t2, publisher, other)

	tests := []struct {
		name     string
		sequence []*Verified
		want     error // of the last one; the others must be accepted
	}{
		{"newer-then-older", []*Verified{b, a}, ErrRollback},
		{"older-then-newer", []*Verified{a, b}, nil},
		{"same-twice", []*Verified{b, b}, nil},
		{"other-publisher-is-separate", []*Verified{b, aOther}, nil},
		{"rotation-counts-for-both-keys", []*Verified{bRotated, aOther}, ErrRollback},
		{"older-after-rejected-older", []*Verified{b, a, a}, ErrRollback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistory(filepath.Join(t.TempDir(), "state", "catalog-history.json"))
			for i, v := range tt.sequence[:len(tt.sequence)-1] {
				if err := h.Accept(v); err != nil && !(tt.name == "older-after-rejected-older" && i == 1) {
					t.Fatalf("catalog %d: %v", i, err)
				}
			}
			err := h.Accept(tt.sequence[len(tt.sequence)-1])
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Accept: %v", err)
				}
				return
			}
			var re *RollbackError
			if !errors.Is(err, tt.want) || !errors.As(err, &re) || !IsIntegrity(err) {
				t.Fatalf("Accept: %v, want %v", err, tt.want)
			}
			if !re.Issued.Equal(t1) || !re.Newest.Equal(t2) ||
				!strings.Contains(err.Error(), t1.Format(time.RFC3339)) || !strings.Contains(err.Error(), t2.Format(time.RFC3339)) {
				t.Errorf("the message does not name both times: %v", err)
			}
		})
	}
}

// A deployment's pinned catalog is installed from on purpose: Remember
// never refuses an older one, and raises the newest when it is newer.
func TestHistoryRemember(t *testing.T) {
	k := newKey(t)
	t1 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	older := &Verified{KeyID: KeyID(pub(k)), Signers: []string{KeyID(pub(k))}, Issued: t1}
	newer := &Verified{KeyID: older.KeyID, Signers: older.Signers, Issued: t1.Add(time.Hour)}
	h := NewHistory(filepath.Join(t.TempDir(), "catalog-history.json"))
	for _, step := range []struct {
		v    *Verified
		fn   func(*Verified) error
		want error
	}{
		{newer, h.Accept, nil},
		{older, h.Remember, nil},
		{older, h.Accept, ErrRollback},
	} {
		if err := step.fn(step.v); !errors.Is(err, step.want) {
			t.Fatalf("%v, want %v", err, step.want)
		}
	}
	h2 := NewHistory(filepath.Join(t.TempDir(), "catalog-history.json"))
	if err := h2.Remember(newer); err != nil {
		t.Fatal(err)
	}
	if err := h2.Accept(older); !errors.Is(err, ErrRollback) {
		t.Fatalf("Remember of a newer catalog did not raise the newest: %v", err)
	}
}

// Concurrent updates (as from several assistant processes) lose nothing:
// the newest of all is kept.
func TestHistoryConcurrentUpdates(t *testing.T) {
	k := newKey(t)
	id := KeyID(pub(k))
	path := filepath.Join(t.TempDir(), "catalog-history.json")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// A History per goroutine: its own lock file handle, as another process has.
			NewHistory(path).Remember(&Verified{KeyID: id, Signers: []string{id}, Issued: base.Add(time.Duration(i) * time.Hour)})
		})
	}
	wg.Wait()
	newest := base.Add((n - 1) * time.Hour)
	if err := NewHistory(path).Accept(&Verified{KeyID: id, Signers: []string{id}, Issued: newest}); err != nil {
		t.Fatalf("the newest: %v", err)
	}
	var re *RollbackError
	err := NewHistory(path).Accept(&Verified{KeyID: id, Signers: []string{id}, Issued: newest.Add(-time.Second)})
	if !errors.As(err, &re) || !re.Newest.Equal(newest) {
		t.Fatalf("one second older than the newest: %v", err)
	}
}

func TestHistoryDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog-history.json")
	if err := os.WriteFile(path, []byte(`{"format": "something else"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	k := newKey(t)
	err := NewHistory(path).Accept(&Verified{Signers: []string{KeyID(pub(k))}, Issued: time.Now()})
	if err == nil || IsIntegrity(err) || !strings.Contains(err.Error(), path) {
		t.Fatalf("a damaged history: %v", err)
	}
}
