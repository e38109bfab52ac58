package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// The publisher profile is kept in the database like the public URL:
// `contract create`, which never reads a profile file, writes the first
// emails with the same support contacts as `serve --profile` would.
func TestProfileSettingReachesContractEmails(t *testing.T) {
	cat, key := signedCatalog(t)
	db := testDB(t)
	ctx := context.Background()
	profile := filepath.Join(t.TempDir(), "profile.json")
	os.WriteFile(profile, []byte(`{"publisher": "Acme Software", "support": {"web": "https://help.acme.example", "email": "help@acme.example", "hours": "9-17"}}`), 0o644)
	var out strings.Builder
	if err := run(ctx, []string{"settings", "set", "profile", profile, "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"settings", "show", "--db", db}, &out); err != nil || !strings.Contains(out.String(), "help@acme.example") {
		t.Fatalf("settings show: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", "Acme",
		"--manager", "ana@acme.example", "--product", "atlas:2"}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"outbox", "list", "--db", db, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var emails []portal.Email
	if err := json.Unmarshal([]byte(out.String()), &emails); err != nil || len(emails) != 2 {
		t.Fatalf("outbox: %v %s", err, out.String())
	}
	for _, e := range emails {
		if !strings.Contains(e.Body, "Support: https://help.acme.example\n") || !strings.Contains(e.Body, "Support email: help@acme.example\n") {
			t.Errorf("%s email without the profile's support contacts:\n%s", e.Kind, e.Body)
		}
	}

	// A profile that does not validate is refused and the stored one kept.
	os.WriteFile(profile, []byte(`{"publisher": "X", "support": {"web": "http://plain.example"}}`), 0o644)
	if err := run(ctx, []string{"settings", "set", "profile", profile, "--db", db}, &out); err == nil || !strings.Contains(err.Error(), "support.web") {
		t.Fatalf("bad profile: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"settings", "show", "--db", db}, &out); err != nil || !strings.Contains(out.String(), "help@acme.example") {
		t.Fatalf("settings show after a refused profile: %v\n%s", err, out.String())
	}
}
