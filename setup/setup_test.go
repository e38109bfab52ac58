package setup

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/portal/web"
)

// demoSetup signs in to the embedded demo service and opens its catalog,
// with this test's own cache, receipts and install folder.
func demoSetup(t *testing.T) *Setup {
	t.Helper()
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The demo service itself (package demo) imports this package: the
	// test starts the portal's demo directly.
	pd, err := web.StartDemo(ctx, web.DemoOptions{Dir: t.TempDir(), SignedCatalog: assets.DemoSignedCatalog(), Catalog: c, Packages: assets.DemoPackageSource})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pd.Close() })
	client, err := account.NewWithTokens(pd.URL, account.NewMemoryTokenStore())
	if err != nil {
		t.Fatal(err)
	}
	d := &Demo{URL: pd.URL, ManagerID: pd.ManagerID, TempPassword: pd.TempPassword, Client: client}
	if err := d.SignIn(ctx); err != nil {
		t.Fatal(err)
	}
	trust := &Trust{Demo: assets.DemoPublicKey(), History: filepath.Join(t.TempDir(), "history.json")}
	src, err := FromAccount(ctx, d.Client, func(signed []byte) (*catalog.Catalog, error) {
		v, err := trust.Open(signed, false)
		if err != nil {
			return nil, err
		}
		return catalog.Parse(v.Payload)
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv(installer.MachineStateEnv, filepath.Join(dir, "machine"))
	return New(src, Options{CacheDir: filepath.Join(dir, "cache"), StateDir: filepath.Join(dir, "state"), TargetRoot: filepath.Join(dir, "apps")})
}

// A product's state follows the catalog, the cache and the receipts.
func TestProductState(t *testing.T) {
	s := demoSetup(t)
	ctx := context.Background()
	var events []Event
	s = s.WithProgress(func(ev Event) { events = append(events, ev) })
	steps := []struct {
		name     string
		act      func() error
		state    State
		version  string
		update   bool
		previous string // kept for rollback
	}{
		{"nothing-yet", func() error { return nil }, NotInstalled, "", false, ""},
		{"downloaded", func() error { _, err := s.Download(ctx, "quill", ""); return err }, Downloaded, "", false, ""},
		{"older-installed", func() error { _, err := s.Install(ctx, "quill@3.0.2", ""); return err }, UpdateAvailable, "3.0.2", true, ""},
		{"updated", func() error { _, err := s.Update(ctx, "quill"); return err }, Installed, "3.1.0", false, "3.0.2"},
		{"damaged", func() error {
			return os.Remove(filepath.Join(s.DefaultTarget("quill"), "bin", "quill"))
		}, Damaged, "3.1.0", false, "3.0.2"},
		{"repaired", func() error { _, err := s.Repair(ctx, "quill"); return err }, Installed, "3.1.0", false, "3.0.2"},
		{"rolled-back", func() error { _, err := s.Rollback(ctx, "quill"); return err }, UpdateAvailable, "3.0.2", true, "3.1.0"},
		{"uninstalled", func() error { _, err := s.Uninstall(ctx, "quill"); return err }, Downloaded, "", false, ""},
	}
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, err := s.State(ctx, "quill")
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got.State != st.state || got.InstalledVersion != st.version || got.UpdateAvailable != st.update || got.LatestVersion != "3.1.0" ||
			got.PreviousVersion != st.previous {
			t.Fatalf("%s: %+v; want %s %q update %v previous %q", st.name, got, st.state, st.version, st.update, st.previous)
		}
	}
	seen := map[Step]bool{}
	for _, ev := range events {
		seen[ev.Step] = true
	}
	for _, step := range []Step{StepCheck, StepDownload, StepPlan, StepStage} {
		if !seen[step] {
			t.Errorf("no %s event", step)
		}
	}
}

// A package file given by hand is named by the catalog entry with its
// hash, never by its file name.
func TestPackageFile(t *testing.T) {
	s := demoSetup(t)
	rel, err := s.Find("quill@3.0.2", "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := assets.DemoPackage(filepath.Base(rel.Package.URL))
	dir := t.TempDir()
	named := filepath.Join(dir, "quill-3.0.2-with-a-misleading-name.bin")
	os.WriteFile(named, b, 0o644)
	tests := []struct {
		name, path, sum, ref string
		wantErr              error
		version              string
	}{
		{"by-hash", named, rel.Package.SHA256, "", nil, "3.0.2"},
		{"by-hash-and-product", named, rel.Package.SHA256, "quill", nil, "3.0.2"},
		{"unknown-hash", named, "00" + rel.Package.SHA256[2:], "", ErrNotInCatalog, ""},
		{"unknown-hash-named", named, "00" + rel.Package.SHA256[2:], "notes@1.0", nil, "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, err := s.PackageFile(tt.path, tt.sum, "", tt.ref)
			if !errors.Is(err, tt.wantErr) || (err == nil && pkg.Version != tt.version) {
				t.Fatalf("%+v %v; want version %q, error %v", pkg, err, tt.version, tt.wantErr)
			}
		})
	}
}

// A download is refused before any byte when the machine fails the
// release's requirements.
func TestDownloadChecksFirst(t *testing.T) {
	s := demoSetup(t)
	p, _ := s.src.Catalog.Product("quill")
	r := p.Latest()
	req := r.Requirements[s.opt.Platform]
	req.Memory.Min = catalog.ByteSize(900 << 40)
	r.Requirements[s.opt.Platform] = req
	_, err := s.Download(context.Background(), "quill", "")
	var re *RequirementsError
	if !errors.As(err, &re) || !errors.Is(err, ErrRequirements) || re.Report == nil {
		t.Fatalf("download on a machine short of memory: %v", err)
	}
	if _, err := os.Stat(s.PackagePath(&Release{Package: r.Packages[s.opt.Platform]})); err == nil {
		t.Fatal("a package was downloaded despite the failed check")
	}
}

func TestResolveURL(t *testing.T) {
	tests := []struct {
		name, base, ref, want string
		err                   error
	}{
		{"relative", "http://127.0.0.1:8443/api/v1/", "packages/q.zip", "http://127.0.0.1:8443/api/v1/packages/q.zip", nil},
		{"absolute", "", "https://127.0.0.1/q.zip", "https://127.0.0.1/q.zip", nil},
		{"no-base", "", "packages/q.zip", "", ErrNoBase},
		{"relative-base", "api/v1/", "packages/q.zip", "", ErrNoBase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveURL(tt.base, tt.ref)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("%q %v; want %q %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// A product the OS's installer put in place (an MSI's receipt: a product
// code, no files) is installed: its state does not fail on the files it
// cannot check, and an uninstall leaves nothing of the user's to list.
func TestNativeReceiptState(t *testing.T) {
	s := demoSetup(t)
	ctx := context.Background()
	rec := installer.Receipt{ID: "r1", Product: "quill", Version: "3.1.0", Format: catalog.FormatMSI,
		ProductCode: "{6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B}", Launch: "bin/quill", Scope: installer.ScopeUser}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(s.opt.StateDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.opt.StateDir, "quill.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := s.State(ctx, "quill")
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	if st.State != Installed || st.InstalledVersion != "3.1.0" || st.Launch != "" {
		t.Errorf("State: %+v, want installed 3.1.0 with no launch path", st)
	}
	if files, err := s.UserFiles(ctx, "quill"); err != nil || len(files) != 0 {
		t.Errorf("UserFiles: %v, %v; want none", files, err)
	}
	if _, err := s.Verify(ctx, "quill"); !errors.Is(err, installer.ErrNativeInstall) {
		t.Errorf("Verify: %v, want ErrNativeInstall", err)
	}
}
