package setup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/deploy"
)

// deployFor builds a deployment of products for this machine's platform
// into a new folder, registered with the demo service.
func deployFor(t *testing.T, s *Setup, target string, products ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "deploy")
	d, err := s.CreateDeployment(context.Background(), DeploymentRequest{
		Products: products, Platforms: []catalog.Platform{catalog.CurrentPlatform()},
		Target: target, Out: out, Register: true, Demo: true, License: deploy.License{Mode: "per-user"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.SeatRegistration == nil || d.SeatRegistration.Key == "" || d.SeatRegistration.Server != s.src.Account().Server() {
		t.Fatalf("seat registration %+v, want a key from the demo service", d.SeatRegistration)
	}
	return out
}

// seat installs deployment folders the way a seat does: the folder's
// catalog verified with the demo key, pinned.
type seat struct {
	opt DeployOptions
	log []string
}

func newSeat(t *testing.T) *seat {
	return &seat{opt: DeployOptions{StateDir: filepath.Join(t.TempDir(), "state"), LogDir: t.TempDir()}}
}

func (st *seat) install(t *testing.T, dir string) (*DeploymentResult, error) {
	t.Helper()
	trust := &Trust{Demo: assets.DemoPublicKey(), History: filepath.Join(t.TempDir(), "history.json")}
	verify := func(signed []byte) (*catalog.Verified, error) { return trust.Open(signed, true) }
	st.log = nil
	return InstallDeploymentWith(context.Background(), dir, verify, st.opt, func(f string, a ...any) { st.log = append(st.log, fmt.Sprintf(f, a...)) })
}

func statuses(res *DeploymentResult) string {
	var s []string
	for _, p := range res.Products {
		s = append(s, p.ID+"@"+p.Version+":"+p.Status)
	}
	return strings.Join(s, " ")
}

// A deployment built from the service installs on a seat, registers it
// with the service, changes nothing when run again, and refuses to
// downgrade a newer version unless allowed.
func TestDeploymentOnASeat(t *testing.T) {
	s := demoSetup(t)
	target := filepath.Join(t.TempDir(), "seat")
	newer := deployFor(t, s, target, "quill")
	older := deployFor(t, s, target, "quill@3.0.2")
	st := newSeat(t)

	res, err := st.install(t, newer)
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(st.log, "\n"))
	}
	if got := statuses(res); got != "quill@3.1.0:"+DeployInstalled {
		t.Fatalf("first run: %s", got)
	}
	if _, err := os.Stat(filepath.Join(target, "quill", "bin", "quill")); err != nil {
		t.Errorf("the product is not in the deployment's folder: %v", err)
	}
	if !res.SeatRegistered || !strings.Contains(res.SeatMessage, "quill 1 of") {
		t.Errorf("seat registration: %v %q", res.SeatRegistered, res.SeatMessage)
	}

	res, err = st.install(t, newer)
	if err != nil || statuses(res) != "quill@3.1.0:"+DeployUnchanged {
		t.Fatalf("second run: %v %s", err, statuses(res))
	}

	res, err = st.install(t, older)
	var nie *NewerInstalledError
	if !errors.Is(err, ErrNewerInstalled) || !errors.As(err, &nie) || len(nie.Products) != 1 || nie.Products[0].Installed != "3.1.0" {
		t.Fatalf("downgrade: %v (%s)", err, statuses(res))
	}
	in, err := installer.New(installer.Options{StateDir: st.opt.StateDir})
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := in.Receipt("quill"); err != nil || rec.Version != "3.1.0" {
		t.Fatalf("after the refused downgrade: %v %v", rec, err)
	}

	st.opt.AllowDowngrade = true
	res, err = st.install(t, older)
	if err != nil || statuses(res) != "quill@3.0.2:"+DeployInstalled {
		t.Fatalf("allowed downgrade: %v %s", err, statuses(res))
	}
}

// A deployment folder changed after it was built installs nothing, and
// says which product's package is not the publisher's.
func TestDeploymentTampered(t *testing.T) {
	s := demoSetup(t)
	target := filepath.Join(t.TempDir(), "seat")
	dir := deployFor(t, s, target, "quill")
	var pkg string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.Contains(e.Name(), "quill-3.1.0") {
			pkg = p
		}
		return nil
	})
	if pkg == "" {
		t.Fatal("no quill package in the deployment folder")
	}
	b, err := os.ReadFile(pkg)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(pkg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	st := newSeat(t)
	res, err := st.install(t, dir)
	if err == nil || !catalog.IsIntegrity(err) && !strings.Contains(statuses(res), DeployIntegrity) {
		t.Fatalf("tampered folder: %v %s", err, statuses(res))
	}
	if _, err := os.Stat(filepath.Join(target, "quill")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("something was installed from a tampered folder: %v", err)
	}
	if res.SeatRegistered {
		t.Error("a refused deployment registered the seat")
	}
}

// A deployment is built only into a new or empty folder, registers only
// with a session, and a deployment for Windows seats needs the Windows
// assistant, found before anything is downloaded.
func TestCreateDeploymentRefusals(t *testing.T) {
	s := demoSetup(t)
	ctx := context.Background()
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDeployment(ctx, DeploymentRequest{Products: []string{"quill"}, Out: full, License: deploy.License{Mode: "per-user"}}); !errors.Is(err, os.ErrExist) {
		t.Errorf("non-empty folder: %v", err)
	}

	fileSrc, err := FromFile(assets.DemoSignedCatalog(), "http://127.0.0.1:1/", openDemo(t))
	if err != nil {
		t.Fatal(err)
	}
	if fileSrc.Account() != nil {
		t.Error("a catalog file's source has an account client")
	}
	dir := t.TempDir()
	// The packages come from the cache the signed-in setup filled.
	if _, err := s.Download(ctx, "quill", ""); err != nil {
		t.Fatal(err)
	}
	fs := New(fileSrc, Options{CacheDir: s.CacheDir(), StateDir: filepath.Join(dir, "state"), TargetRoot: filepath.Join(dir, "apps")})
	_, err = fs.CreateDeployment(ctx, DeploymentRequest{Products: []string{"quill"}, Platforms: []catalog.Platform{catalog.CurrentPlatform()},
		Out: filepath.Join(dir, "out"), Register: true, License: deploy.License{Mode: "per-user"}})
	if !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("register without a session: %v", err)
	}

	out := filepath.Join(dir, "win")
	_, err = s.CreateDeployment(ctx, DeploymentRequest{Products: []string{"quill"}, Platforms: []catalog.Platform{catalog.WindowsAMD64}, Out: out, License: deploy.License{Mode: "per-user"},
		Assistant: filepath.Join(dir, "no-such-assistant.exe")})
	if err == nil || !strings.Contains(err.Error(), "no-such-assistant.exe") {
		t.Errorf("a missing Windows assistant: %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the refused deployment left %d entries", len(entries))
	}
	notWindows := filepath.Join(dir, "assistant.exe")
	if err := os.WriteFile(notWindows, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := WindowsAssistant(notWindows); !errors.Is(err, deploy.ErrNotWindowsProgram) {
		t.Errorf("a file that is not a Windows program: %v", err)
	}
	if _, err := WindowsAssistant(""); !errors.Is(err, deploy.ErrNoWindowsAssistant) || !strings.Contains(err.Error(), "--assistant") {
		t.Errorf("no assistant beside the test program: %v", err)
	}
}

// openDemo opens a signed catalog with the demo key, as --demo does.
func openDemo(t *testing.T) OpenFunc {
	trust := &Trust{Demo: assets.DemoPublicKey(), History: filepath.Join(t.TempDir(), "history.json")}
	return func(signed []byte) (*catalog.Catalog, error) {
		v, err := trust.Open(signed, false)
		if err != nil {
			return nil, err
		}
		return catalog.Parse(v.Payload)
	}
}
