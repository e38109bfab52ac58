package portal

import (
	"context"
	"errors"
	"testing"
)

// The public URL is one stored setting, audited when it changes.
func TestPublicURLSetting(t *testing.T) {
	store, _ := openTestStore(t)
	ctx := context.Background()
	if _, err := store.PublicURL(ctx); !errors.Is(err, ErrNoPublicURL) {
		t.Fatalf("fresh database: %v", err)
	}
	for range 2 {
		if v, err := store.SetPublicURL(ctx, "https://onramp.acme.example/", "op"); err != nil || v != "https://onramp.acme.example" {
			t.Fatal(v, err)
		}
	}
	if v, err := store.PublicURL(ctx); err != nil || v != "https://onramp.acme.example" {
		t.Fatal(v, err)
	}
	if _, err := store.SetPublicURL(ctx, "http://onramp.acme.example", "op"); !errors.Is(err, ErrBadPublicURL) {
		t.Fatal(err)
	}
	var audits int
	store.db.QueryRow(`SELECT count(*) FROM audit WHERE action = 'setting.public-url'`).Scan(&audits)
	if audits != 1 {
		t.Errorf("%d audit entries for one change", audits)
	}
}
