package assets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
)

var update = flag.Bool("update", false, "rewrite demo/catalog.json and re-sign demo/catalog.signed.json")

// signedValidity is how long a re-signed demo catalog stays valid;
// minValidity is how much of it must be left, or the test asks for a
// re-sign (the demo must never expire under a user's feet).
const (
	signedValidity = 2 * 365 * 24 * time.Hour
	minValidity    = 180 * 24 * time.Hour
)

func TestDemoCatalogUpToDate(t *testing.T) {
	want, err := catalog.Marshal(demoCatalog())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Parse(want); err != nil {
		t.Fatalf("generated demo catalog does not parse: %v", err)
	}
	if *update {
		if err := os.WriteFile("demo/catalog.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(want, DemoCatalogJSON()) {
		t.Fatal("demo/catalog.json differs from the demo products in demo.go (or the package bytes changed): run `go test ./assets -run Demo -update`")
	}
}

func TestDemoSignedCatalog(t *testing.T) {
	keys := catalog.NewKeyring(DemoPublicKey())
	now := time.Now()
	v, err := keys.Open(DemoSignedCatalog(), now.Add(minValidity))
	stale := err != nil || !bytes.Equal(v.Payload, DemoCatalogJSON())
	if *update && stale {
		payload, err := os.ReadFile("demo/catalog.json")
		if err != nil {
			t.Fatal(err)
		}
		signed, err := catalog.Sign(payload, now, signedValidity, DemoSigningKey())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("demo/catalog.signed.json", signed, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err != nil {
		t.Fatalf("demo/catalog.signed.json: %v (valid for less than %v from now?): run `go test ./assets -run Demo -update`", err, minValidity)
	}
	if stale {
		t.Fatal("demo/catalog.signed.json holds another payload than demo/catalog.json: run `go test ./assets -run Demo -update`")
	}
}

// The packages are rebuilt from code on every run: the bytes must match the
// hashes and sizes the signed catalog lists, on every machine and Go version.
func TestDemoPackagesMatchCatalog(t *testing.T) {
	c, err := catalog.Parse(DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range c.Products {
		for _, r := range p.Releases {
			for plat, pkg := range r.Packages {
				name := pkg.URL[len(DemoPackagePath):]
				b, ok := DemoPackage(name)
				if !ok {
					t.Fatalf("%s %s %s: no demo package %q", p.ID, r.Version, plat, name)
				}
				sum := sha256.Sum256(b)
				if got := hex.EncodeToString(sum[:]); got != pkg.SHA256 || int64(len(b)) != pkg.Size {
					t.Errorf("%s: built %d bytes with sha256 %s, catalog says %d bytes, %s", name, len(b), got, pkg.Size, pkg.SHA256)
				}
				again, _ := DemoPackage(name)
				if !bytes.Equal(b, again) {
					t.Errorf("%s: two builds differ", name)
				}
				seen++
			}
		}
	}
	if seen != len(DemoPackageNames()) {
		t.Errorf("catalog lists %d packages, the demo builds %d", seen, len(DemoPackageNames()))
	}
	if len(c.Products) < 2 {
		t.Errorf("demo catalog has %d products, want at least 2", len(c.Products))
	}
}

func TestDemoKeyIsNotTheOnlyTrust(t *testing.T) {
	// The demo key's private half is in the repository: a keyring without it
	// must refuse the demo catalog.
	if _, err := catalog.NewKeyring().Open(DemoSignedCatalog(), time.Now()); err == nil {
		t.Fatal("an empty keyring accepted the demo catalog")
	}
}
