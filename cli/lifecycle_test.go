package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/internal/testbin"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/setup"
)

// portalService is a real `portal serve` process on loopback.
type portalService struct {
	bin, db, key, packages, addr string
	cmd                          *exec.Cmd
}

// serve starts the service with a signed catalog file on the same
// database and address as before (a restart is how the operator publishes
// a new catalog), and waits for its "serving" line.
func (p *portalService) serve(t *testing.T, catalogFile string) {
	t.Helper()
	addr := cmpOr(p.addr, "127.0.0.1:0")
	cmd := exec.Command(p.bin, "serve", "--db", p.db, "--catalog", catalogFile, "--key", p.key, "--packages", p.packages, "--addr", addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.cmd = cmd
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("portal serve: %v", err)
	}
	m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("portal serve said %q", line)
	}
	p.addr = m[1]
}

func (p *portalService) stop(t *testing.T) {
	t.Helper()
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Signal(os.Interrupt)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("portal serve did not stop cleanly: %v", err)
	}
	p.cmd = nil
}

// buildPortal compiles cmd/portal, the service as operators run it.
func buildPortal(t *testing.T) string {
	t.Helper()
	return testbin.Build(t, "../cmd/portal")
}

// publish signs the demo catalog with quill's releases up to newest only,
// as the publisher hands it to the service's operator.
func publish(t *testing.T, priv ed25519.PrivateKey, newest string, issued time.Time) string {
	t.Helper()
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.Product("quill")
	var keep []catalog.Release
	for _, r := range p.Releases {
		if r.Version.Compare(catalog.MustVersion(newest)) <= 0 && r.Version.Compare(catalog.MustVersion("3.0.0")) > 0 {
			keep = append(keep, r)
		}
	}
	p.Releases = keep
	payload, err := catalog.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := catalog.Sign(payload, issued, 30*24*time.Hour, priv)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, t.TempDir(), "catalog.signed.json", signed)
}

// The whole product lifecycle, against a real `portal serve`: sign in, list the
// products with their state, download and install quill with no --catalog
// and no --base, see it installed and current; the publisher releases a
// newer quill in a newly signed catalog the service serves; the update is
// listed, installed, and rolled back.
func TestLifecycleAgainstPortalServe(t *testing.T) {
	sessiontest.RequireBus(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	svc := &portalService{bin: buildPortal(t), db: filepath.Join(work, "onramp.db"),
		key: writeFile(t, work, "publisher.pub", []byte(catalog.FormatPublicKey(pub))), packages: filepath.Join(work, "packages")}
	os.MkdirAll(svc.packages, 0o755)
	for _, name := range assets.DemoPackageNames() {
		b, _ := assets.DemoPackage(name)
		writeFile(t, svc.packages, name, b)
	}
	first := publish(t, priv, "3.0.2", time.Now().Add(-time.Hour))

	// The operator sets the address the emails' links use, then creates
	// the contract; the manager's start email is in the outbox.
	if out, err := exec.Command(svc.bin, "settings", "set", "public-url", "http://127.0.0.1:8443", "--db", svc.db).CombinedOutput(); err != nil {
		t.Fatalf("settings set public-url: %v\n%s", err, out)
	}
	var out bytes.Buffer
	create := exec.Command(svc.bin, "contract", "create", "--db", svc.db, "--catalog", first, "--key", svc.key, "--company", "Acme",
		"--manager", "ana@acme.example", "--product", "quill:5", "--product", "atlas:5", "--plan", "advanced")
	create.Stdout, create.Stderr = &out, os.Stderr
	if err := create.Run(); err != nil {
		t.Fatalf("contract create: %v", err)
	}
	store, err := portal.OpenSQLite(context.Background(), svc.db)
	if err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "ana@acme.example")
	store.Close()

	svc.serve(t, first)
	t.Cleanup(func() { svc.stop(t) })

	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv(installer.MachineStateEnv, filepath.Join(home, "machine"))
	os.MkdirAll(filepath.Join(home, ".config", "Onramp"), 0o755)
	writeFile(t, filepath.Join(home, ".config", "Onramp"), "config.json", []byte(`{"trusted_keys": ["`+catalog.FormatPublicKey(pub)+`"]}`))
	cli := func(stdin string, args ...string) result {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(stdin), &stdout, &stderr)
		return result{code, stdout.String(), stderr.String()}
	}
	must := func(r result, what string) result {
		t.Helper()
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s\n%s", what, r.code, r.stdout, r.stderr)
		}
		return r
	}
	quill := func(when string) setup.ProductState {
		t.Helper()
		r := must(cli("", "products", "--json"), "products "+when)
		var doc struct {
			Products []setup.ProductState `json:"products"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("products --json %s: %v\n%s", when, err, r.stdout)
		}
		for _, p := range doc.Products {
			if p.ID == "quill" {
				return p
			}
		}
		t.Fatalf("products %s: no quill in %s", when, r.stdout)
		return setup.ProductState{}
	}
	want := func(when string, state setup.State, installed, latest string, update bool) {
		t.Helper()
		q := quill(when)
		if q.State != state || q.InstalledVersion != installed || q.LatestVersion != latest || q.UpdateAvailable != update {
			t.Fatalf("%s: quill is %s, installed %q, latest %q, update %v; want %s, %q, %q, %v",
				when, q.State, q.InstalledVersion, q.LatestVersion, q.UpdateAvailable, state, installed, latest, update)
		}
	}

	must(cli(temp+"\nthe manager's own passphrase\n", "signin", "--server", "http://"+svc.addr, "--user", uid), "signin")
	want("before anything", setup.NotInstalled, "", "3.0.2", false)

	r := must(cli("", "download", "--product", "quill"), "download")
	cached := filepath.Join(setup.DefaultCacheDir(), "quill-3.0.2-"+strings.ReplaceAll(string(catalog.CurrentPlatform()), "/", "-"))
	if !strings.Contains(r.stdout, "verified") || !strings.Contains(r.stdout, cached) {
		t.Fatalf("download: %s", r.stdout)
	}
	want("after the download", setup.Downloaded, "", "3.0.2", false)

	must(cli("", "install", "--product", "quill"), "install")
	want("after the install", setup.Installed, "3.0.2", "3.0.2", false)

	// The publisher releases 3.1.0; the operator serves the new catalog.
	svc.stop(t)
	svc.serve(t, publish(t, priv, "3.1.0", time.Now()))
	want("after the new release", setup.UpdateAvailable, "3.0.2", "3.1.0", true)

	r = must(cli("", "update", "--product", "quill"), "update")
	if !strings.Contains(r.stdout, "Updated quill from 3.0.2 to 3.1.0") {
		t.Fatalf("update: %s", r.stdout)
	}
	want("after the update", setup.Installed, "3.1.0", "3.1.0", false)
	if q := quill("after the update"); q.PreviousVersion != "3.0.2" {
		t.Fatalf("after the update, products --json keeps %q for rollback, want 3.0.2", q.PreviousVersion)
	}
	if r := must(cli("", "update", "--all"), "update --all"); !strings.Contains(r.stdout, "quill 3.1.0 is the newest release") {
		t.Fatalf("update --all: %s", r.stdout)
	}

	must(cli("", "rollback", "--product", "quill"), "rollback")
	want("after the rollback", setup.UpdateAvailable, "3.0.2", "3.1.0", true)
	if q := quill("after the rollback"); q.PreviousVersion != "3.1.0" {
		t.Fatalf("after the rollback, products --json keeps %q, want 3.1.0", q.PreviousVersion)
	}
}
