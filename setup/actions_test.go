package setup

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
)

// fileSetup opens the demo's signed catalog as a file, its relative
// package URLs resolved against a real HTTP server on loopback that
// serves the demo packages: the source IT uses with --catalog and --base.
func fileSetup(t *testing.T) *Setup {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, mod, ok := assets.DemoPackageSource(path.Base(r.URL.Path))
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, path.Base(r.URL.Path), mod, body)
	}))
	t.Cleanup(srv.Close)
	src, err := FromFile(assets.DemoSignedCatalog(), srv.URL+"/", openDemo(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv(installer.MachineStateEnv, filepath.Join(dir, "machine"))
	return New(src, Options{CacheDir: filepath.Join(dir, "cache"), StateDir: filepath.Join(dir, "state"), TargetRoot: filepath.Join(dir, "apps")})
}

// A product's life from a catalog file: found, checked, downloaded once,
// planned without a change, installed from the download, updated with
// the others, verified, and uninstalled keeping the user's file.
func TestLifecycleFromCatalogFile(t *testing.T) {
	s := fileSetup(t)
	ctx := context.Background()

	states, err := s.Products(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range states {
		ids = append(ids, st.ID)
		if st.State != NotInstalled {
			t.Errorf("%s is %s before anything was done", st.ID, st.State)
		}
	}
	if !slices.Contains(ids, "quill") || len(ids) < 2 {
		t.Fatalf("products %v", ids)
	}

	rel, rep, err := s.Check(ctx, "quill", "")
	if err != nil || rep == nil || rel.Release.Version.String() != "3.1.0" {
		t.Fatalf("check: %v %v %v", rel, rep, err)
	}
	if s.Downloaded("quill@3.0.2") != nil {
		t.Fatal("Downloaded before any download")
	}
	d, err := s.Download(ctx, "quill@3.0.2", "")
	if err != nil {
		t.Fatal(err)
	}
	again := s.Downloaded("quill@3.0.2")
	if again == nil || again.Path != d.Path || d.Path != s.PackagePath(&Release{Package: d.Release.Packages[d.Platform]}) {
		t.Fatalf("Downloaded %+v, download at %s", again, d.Path)
	}

	plan, err := s.PlanDownload(ctx, again, "")
	if err != nil {
		t.Fatal(err)
	}
	if plan.Target != s.DefaultTarget("quill") {
		t.Errorf("plan into %s, want the default folder %s", plan.Target, s.DefaultTarget("quill"))
	}
	if st, _ := s.State(ctx, "quill"); st.State != NotInstalled && st.State != Downloaded {
		t.Fatalf("a plan changed the state: %s", st.State)
	}
	rec, err := s.InstallDownload(ctx, again, "")
	if err != nil || rec.Version != "3.0.2" {
		t.Fatalf("install: %v %v", rec, err)
	}

	ups, err := s.UpdateAll(ctx)
	if err != nil || len(ups) != 1 || !ups[0].Updated || ups[0].From != "3.0.2" || ups[0].To != "3.1.0" {
		t.Fatalf("UpdateAll: %+v %v", ups, err)
	}
	ups, err = s.UpdateAll(ctx)
	if err != nil || len(ups) != 1 || ups[0].Updated {
		t.Fatalf("UpdateAll with nothing newer: %+v %v", ups, err)
	}

	if rep, err := s.Verify(ctx, "quill"); err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	mine := filepath.Join(rec.Target, "my notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Files are named relative to the install folder.
	if files, err := s.UserFiles(ctx, "quill"); err != nil || !slices.Equal(files, []string{"my notes.txt"}) {
		t.Fatalf("user files %q %v, want my notes.txt", files, err)
	}
	kept, err := s.Uninstall(ctx, "quill")
	if err != nil || !slices.Contains(kept, "my notes.txt") {
		t.Fatalf("uninstall kept %q (%v), want my notes.txt", kept, err)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "mine" {
		t.Errorf("the user's file after uninstall: %q %v", b, err)
	}
	if _, err := s.Update(ctx, "quill"); !errors.Is(err, installer.ErrNotInstalled) {
		t.Errorf("update of an uninstalled product: %v", err)
	}
}

// What cannot be found or fetched is a typed error naming it, before any
// transfer.
func TestFindAndSourceErrors(t *testing.T) {
	s := fileSetup(t)
	ctx := context.Background()
	tests := []struct {
		name string
		err  func() error
		want error
	}{
		{"unknown-product", func() error { _, err := s.Find("nope", ""); return err }, catalog.ErrNotFound},
		{"unknown-version", func() error { _, err := s.Find("quill@9.9.9", ""); return err }, catalog.ErrNotFound},
		{"no-package-here", func() error { _, err := s.Find("quill", "plan9/amd64"); return err }, ErrNoPackage},
		{"download-unknown", func() error { _, err := s.Download(ctx, "nope", ""); return err }, catalog.ErrNotFound},
		{"plan-unknown", func() error { _, err := s.Plan(ctx, "nope", ""); return err }, catalog.ErrNotFound},
		{"remove-partial-unknown", func() error { return s.RemovePartial("nope") }, catalog.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.err(); !errors.Is(err, tt.want) {
				t.Errorf("%v, want %v", err, tt.want)
			}
		})
	}

	noBase, err := FromFile(assets.DemoSignedCatalog(), "", openDemo(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	nb := New(noBase, Options{CacheDir: filepath.Join(dir, "cache"), StateDir: filepath.Join(dir, "state"), TargetRoot: filepath.Join(dir, "apps")})
	if _, err := nb.Download(ctx, "quill", ""); !errors.Is(err, ErrNoBase) {
		t.Errorf("relative URLs without a base: %v", err)
	}
	if _, err := New(nil, Options{}).Catalog(); !errors.Is(err, ErrNoSource) {
		t.Errorf("no source: %v", err)
	}
}

// A cancelled download's partial file goes; the verified package stays.
func TestRemovePartial(t *testing.T) {
	s := fileSetup(t)
	rel, err := s.Find("quill", "")
	if err != nil {
		t.Fatal(err)
	}
	part := s.PackagePath(rel) + ".part"
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.RemovePartial("quill"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(part); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the partial file is still there: %v", err)
	}
}

// The configuration names its file and field when it is wrong; the trust
// takes the configured keys, key files and the profile's keys, and opens
// only catalogs they signed.
func TestConfigAndTrust(t *testing.T) {
	dir := t.TempDir()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"trusted_keys": ["`+catalog.FormatPublicKey(pub)+`"]}`)
	typo := write("typo.json", `{"trusted_key": []}`)
	badKey := write("badkey.json", `{"trusted_keys": ["ed25519:not-base64"]}`)
	missing := filepath.Join(dir, "missing.json")

	configs := []struct {
		name     string
		path     string
		required bool
		keys     int
		errHas   string
	}{
		{"none", "", false, 0, ""},
		{"missing-optional", missing, false, 0, ""},
		{"missing-required", missing, true, 0, "missing.json"},
		{"unknown-field", typo, false, 0, "trusted_key"},
		{"good", good, true, 1, ""},
	}
	for _, tt := range configs {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(tt.path, tt.required)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("%v, want an error naming %q", err, tt.errHas)
				}
				return
			}
			if err != nil || len(c.TrustedKeys) != tt.keys {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}

	if _, err := (&Trust{Config: badKey}).Keyring(); err == nil || !strings.Contains(err.Error(), "trusted_keys[0]") {
		t.Errorf("a bad configured key: %v", err)
	}
	if _, err := (&Trust{KeyFiles: []string{missing}}).Keyring(); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("a missing key file: %v", err)
	}
	profileErr := errors.New("profile unreadable")
	if _, err := (&Trust{Config: good, ProfileErr: profileErr}).Keyring(); !errors.Is(err, profileErr) {
		t.Errorf("a profile that could not be read: %v", err)
	}

	signed, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now(), time.Hour, priv)
	if err != nil {
		t.Fatal(err)
	}
	history := filepath.Join(dir, "history.json")
	if _, err := (&Trust{History: history}).Open(signed, false); !catalog.IsIntegrity(err) {
		t.Errorf("a catalog signed by no trusted key: %v", err)
	}
	keyFile := write("pub.key", catalog.FormatPublicKey(pub)+"\n")
	for _, tr := range []*Trust{{Config: good, History: history}, {KeyFiles: []string{keyFile}, History: history}, {Profile: []ed25519.PublicKey{pub}, History: history}} {
		if v, err := tr.Open(signed, false); err != nil || v.KeyID != catalog.KeyID(pub) {
			t.Errorf("trusted through %+v: %v %v", tr, v, err)
		}
	}
	if _, err := os.Stat(history); err != nil {
		t.Errorf("an opened catalog is not recorded in the history: %v", err)
	}
}

// A plan downloads and verifies the package but installs nothing. Set up
// for a platform the release has no package for, the check still judges
// this machine (and names the release, with no package) instead of
// erring, and the download is refused.
func TestPlanAndWrongPlatform(t *testing.T) {
	s := fileSetup(t)
	ctx := context.Background()
	plan, err := s.Plan(ctx, "quill", "")
	if err != nil {
		t.Fatal(err)
	}
	if plan.Target != s.DefaultTarget("quill") {
		t.Errorf("plan into %s, want %s", plan.Target, s.DefaultTarget("quill"))
	}
	if st, err := s.State(ctx, "quill"); err != nil || st.State != Downloaded {
		t.Errorf("after a plan: %v %v, want downloaded and nothing installed", st, err)
	}
	if _, err := os.Stat(s.DefaultTarget("quill")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a plan created the install folder: %v", err)
	}

	other := New(s.src, Options{CacheDir: s.CacheDir(), StateDir: t.TempDir(), TargetRoot: t.TempDir(), Platform: "plan9/amd64"})
	rel, rep, err := other.Check(ctx, "quill", "")
	if err != nil || rel == nil || rep == nil || rel.Package.URL != "" || rel.Release.Version.String() != "3.1.0" || rep.Platform != string(catalog.CurrentPlatform()) {
		t.Fatalf("check for a platform without a package: %v %+v %v", rel, rep, err)
	}
	if _, err := other.Download(ctx, "quill", ""); !errors.Is(err, ErrNoPackage) {
		t.Errorf("download for a platform without a package: %v", err)
	}
}
