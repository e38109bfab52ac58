package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/setup"
)

func TestDeployCreateAndInstall(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	dir := filepath.Join(t.TempDir(), "deployment")
	seat := filepath.Join(t.TempDir(), "seat")
	plat := runtime.GOOS + "/" + runtime.GOARCH
	r := runCLI(t, "", "--demo", "deploy", "create", "--product", "atlas", "--product", "quill@3.0.2", "--assistant", fakeWindowsProgram(t, t.TempDir()),
		"--platform", plat, "--platform", "windows/amd64", "--out", dir, "--target", seat, "--license-server", "lic.example.com:27000")
	if r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	for _, f := range []string{"deployment.json", "catalog.signed.json", "install-windows.cmd", "install-macos.sh", "install-linux.sh", "README-IT.txt",
		"packages/atlas-2.10.0-windows-amd64.zip", "packages/quill-3.0.2-windows-amd64.zip"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	cmd, _ := os.ReadFile(filepath.Join(dir, "install-windows.cmd"))
	// A deployment of the demo catalog trusts the demo key on the seats, and only that one.
	if !strings.Contains(string(cmd), "\"%~dp0assistant.exe\" --demo deploy install \"%~dp0.\" --silent --windows-exit-codes %*\r\n") {
		t.Errorf("windows script: %q", cmd)
	}
	if r := runCLI(t, "", "--demo", "deploy", "create", "--product", "atlas", "--out", dir); r.code == 0 {
		t.Error("create over an existing deployment succeeded")
	}

	// The seat: the real script runs the real binary.
	bin := assistantBinary(t)
	script := exec.Command("sh", filepath.Join(dir, "install-"+map[string]string{"darwin": "macos"}[runtime.GOOS]+map[bool]string{true: "linux"}[runtime.GOOS == "linux"]+".sh"))
	logs := t.TempDir()
	script.Env = append(os.Environ(), "ONRAMP_ASSISTANT="+bin, "XDG_CONFIG_HOME="+filepath.Join(home, "seat-config"), installer.MachineLogDirEnv+"="+logs)
	out, err := script.CombinedOutput()
	if err != nil {
		t.Fatalf("install script: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "installed 2 product(s)") {
		t.Errorf("script output %q", out)
	}
	for _, f := range []string{"atlas/bin/atlas", "quill/bin/quill"} {
		if _, err := os.Stat(filepath.Join(seat, f)); err != nil {
			t.Errorf("not installed: %s", f)
		}
	}
	logPath := strings.TrimSuffix(strings.SplitN(string(out), "(log: ", 2)[1], ")\n")
	if logPath != filepath.Join(logs, "deploy-atlas+quill.log") {
		t.Errorf("log %s, want deploy-atlas+quill.log in the machine's log folder", logPath)
	}
	log, err := os.ReadFile(logPath)
	if err != nil || !strings.Contains(string(log), "seat registration: not registered") || !strings.Contains(string(log), "atlas 2.10.0: installed") {
		t.Errorf("log %s: %v\n%s", logPath, err, log)
	}
	os.Remove(logPath)
}

func TestDeployInstallRefusals(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	plat := runtime.GOOS + "/" + runtime.GOARCH
	build := func(t *testing.T) (string, string) {
		dir := filepath.Join(t.TempDir(), "d")
		seat := filepath.Join(t.TempDir(), "seat")
		if r := runCLI(t, "", "--demo", "deploy", "create", "--product", "atlas", "--product", "quill", "--platform", plat, "--out", dir, "--target", seat); r.code != 0 {
			t.Fatalf("create: %s", r.stderr)
		}
		return dir, seat
	}
	edit := func(t *testing.T, dir string, fn func(d map[string]any)) {
		b, _ := os.ReadFile(filepath.Join(dir, "deployment.json"))
		var d map[string]any
		json.Unmarshal(b, &d)
		fn(d)
		b, _ = json.Marshal(d)
		os.WriteFile(filepath.Join(dir, "deployment.json"), b, 0o644)
	}
	quillPkg := func(d map[string]any) map[string]any {
		return d["products"].([]any)[1].(map[string]any)["packages"].(map[string]any)[plat].(map[string]any)
	}
	// resign replaces the folder's catalog by the demo catalog changed by
	// fn and signed by key, as of issued.
	resign := func(t *testing.T, dir string, key ed25519.PrivateKey, issued time.Time, fn func(c map[string]any)) {
		var c map[string]any
		if err := json.Unmarshal(assets.DemoCatalogJSON(), &c); err != nil {
			t.Fatal(err)
		}
		fn(c)
		payload, _ := json.Marshal(c)
		signed, err := catalog.Sign(payload, issued, 24*time.Hour, key)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "catalog.signed.json"), signed, 0o644)
	}
	quillRelease := func(c map[string]any) map[string]any {
		for _, p := range c["products"].([]any) {
			if p.(map[string]any)["id"] == "quill" {
				return p.(map[string]any)["releases"].([]any)[0].(map[string]any)
			}
		}
		t.Fatal("no quill in the demo catalog")
		return nil
	}
	impossible := map[string]any{plat: map[string]any{"memory": map[string]any{"min": "900 TiB"}}}
	_, untrusted, _ := generateKey()
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		code   int
		want   string
	}{
		{"tampered-package", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "packages", "quill-3.1.0-"+strings.ReplaceAll(plat, "/", "-")+".tar.gz")
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			os.WriteFile(p, b, 0o644)
		}, exitIntegrity, "integrity-failure"},
		{"package-replaced-and-hash-edited", func(t *testing.T, dir string) {
			// Anyone who can write the folder: quill's package becomes
			// another (valid) archive, and deployment.json its hash.
			edit(t, dir, func(d map[string]any) {
				atlas := d["products"].([]any)[0].(map[string]any)["packages"].(map[string]any)[plat].(map[string]any)
				b, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(atlas["file"].(string))))
				os.WriteFile(filepath.Join(dir, filepath.FromSlash(quillPkg(d)["file"].(string))), b, 0o644)
				quillPkg(d)["sha256"], quillPkg(d)["size"] = atlas["sha256"], atlas["size"]
			})
		}, exitIntegrity, "integrity-failure"},
		{"catalog-edited", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "catalog.signed.json")
			var env catalog.Envelope
			b, _ := os.ReadFile(p)
			json.Unmarshal(b, &env)
			env.Payload = bytes.Replace(env.Payload, []byte(`"2 GiB"`), []byte(`"1 GiB"`), 1)
			b, _ = json.Marshal(env)
			os.WriteFile(p, b, 0o644)
		}, exitIntegrity, "changed after it was signed"},
		{"catalog-removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "catalog.signed.json"))
		}, exitIntegrity, "no signed catalog"},
		{"catalog-and-hash-re-signed-by-untrusted-key", func(t *testing.T, dir string) {
			var sum string
			edit(t, dir, func(d map[string]any) {
				quillPkg(d)["sha256"] = strings.Repeat("ab", 32)
				sum = quillPkg(d)["sha256"].(string)
			})
			resign(t, dir, untrusted, time.Now(), func(c map[string]any) {
				quillRelease(c)["packages"].(map[string]any)[plat].(map[string]any)["sha256"] = sum
			})
		}, exitIntegrity, "not trusted"},
		{"requirements-weakened-in-deployment-json", func(t *testing.T, dir string) {
			edit(t, dir, func(d map[string]any) { d["products"].([]any)[1].(map[string]any)["requirements"] = map[string]any{} })
		}, exitIntegrity, "integrity-failure"},
		{"expired-catalog-still-installs", func(t *testing.T, dir string) {
			// Seats install months after the folder was built: the pinned
			// catalog's signature counts, not its expiry.
			resign(t, dir, assets.DemoSigningKey(), time.Now().Add(-72*time.Hour), func(c map[string]any) {})
		}, exitOK, `"status": "installed"`},
		{"requirements-not-met", func(t *testing.T, dir string) {
			// The publisher's own requirements (the demo key's private half is public).
			resign(t, dir, assets.DemoSigningKey(), time.Now(), func(c map[string]any) { quillRelease(c)["requirements"] = impossible })
			edit(t, dir, func(d map[string]any) { d["products"].([]any)[1].(map[string]any)["requirements"] = impossible })
		}, exitRequirements, "requirements-not-met"},
		{"malformed", func(t *testing.T, dir string) {
			edit(t, dir, func(d map[string]any) { d["license"] = map[string]any{"mode": "site"} })
		}, exitFailed, ""},
		{"unknown-field", func(t *testing.T, dir string) {
			edit(t, dir, func(d map[string]any) { d["reboot"] = true })
		}, exitFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, seat := build(t)
			tt.change(t, dir)
			logFile := filepath.Join(t.TempDir(), "deploy.log")
			r := runCLI(t, "", "--demo", "deploy", "install", dir, "--silent", "--json", "--log", logFile)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.want) {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if _, err := os.Stat(seat); err == nil && tt.code != exitOK {
				entries, _ := os.ReadDir(seat)
				if len(entries) > 0 {
					t.Errorf("installed despite the refusal: %v", entries)
				}
			}
			log, _ := os.ReadFile(logFile)
			if len(log) == 0 {
				t.Error("empty log")
			}
			if tt.name == "malformed" && !strings.Contains(string(log), "license.mode") {
				t.Errorf("log does not name the field:\n%s", log)
			}
			if tt.name == "unknown-field" && !strings.Contains(string(log), `"reboot"`) {
				t.Errorf("log does not name the field:\n%s", log)
			}
		})
	}
}

// With --register the deployment carries a seat key; each seat counts
// itself once, and an unreachable service does not fail the install.
func TestDeploySeatRegistration(t *testing.T) {
	sessiontest.RequireBus(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "it@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 3}}, Plan: portal.PlanStandard}, "test"); err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "it@acme.example")
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv(installer.MachineLogDirEnv, t.TempDir())
	cfg := filepath.Join(home, "config.json")
	os.WriteFile(cfg, []byte("{}"), 0o644)
	cli := func(stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", cfg}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	if r := cli(temp+"\nthe IT admin's passphrase\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("signin: %s", r.stderr)
	}
	dir := filepath.Join(t.TempDir(), "deployment")
	seat := filepath.Join(t.TempDir(), "seat")
	created := cli("", "--demo", "deploy", "create", "--json", "--product", "atlas", "--platform", runtime.GOOS+"/"+runtime.GOARCH, "--out", dir, "--target", seat, "--register")
	if created.code != 0 {
		t.Fatalf("create --register: %d %s", created.code, created.stderr)
	}
	d, err := deploy.Read(dir)
	if err != nil || d.SeatRegistration == nil || d.SeatRegistration.Server != srv.URL {
		t.Fatalf("deployment: %v %+v", err, d)
	}
	if strings.Contains(created.stdout, d.SeatRegistration.Key) {
		t.Error("create --json prints the seat key")
	}
	if st, err := os.Stat(filepath.Join(dir, "deployment.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("deployment.json with a seat key: mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	install := func() setup.DeploymentResult {
		t.Helper()
		r := cli("", "--demo", "deploy", "install", dir, "--silent", "--json")
		var res setup.DeploymentResult
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 {
			t.Fatalf("install: %d %v %s %s", r.code, err, r.stdout, r.stderr)
		}
		return res
	}
	for i := range 2 { // the same machine twice: one seat
		res := install()
		if !res.SeatRegistered || !strings.Contains(res.SeatMessage, "atlas 1 of 3 seats") {
			t.Fatalf("run %d: %+v", i, res)
		}
	}
	srv.Close()
	res := install()
	if res.SeatRegistered || !strings.Contains(res.SeatMessage, "not registered") || !strings.Contains(res.SeatMessage, "succeeded") {
		t.Fatalf("service down: %+v", res)
	}
	if strings.Contains(res.SeatMessage, d.SeatRegistration.Key) {
		t.Fatal("the seat key is in the message")
	}
}

// Every target is checked before anything is installed, and each problem
// is named: a seat left half-installed by a push is worse than a refusal
// IT can act on. A file in the way
// fails as root too (a read-only folder does not: root writes anyway).
func TestDeployInstallChecksEveryTargetFirst(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	plat := runtime.GOOS + "/" + runtime.GOARCH
	fileAt := func(p string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("not a folder"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		root     bool // runs as root too
		setup    func(t *testing.T, seat string)
		unusable []string // products whose target is named
	}{
		{"second-target-is-a-file", true, func(t *testing.T, seat string) { fileAt(filepath.Join(seat, "quill")) }, []string{"quill"}},
		{"both-targets-are-files", true, func(t *testing.T, seat string) {
			fileAt(filepath.Join(seat, "atlas"))
			fileAt(filepath.Join(seat, "quill"))
		}, []string{"atlas", "quill"}},
		{"install-root-is-a-file", true, func(t *testing.T, seat string) { fileAt(seat) }, []string{"atlas", "quill"}},
		{"read-only-root", false, func(t *testing.T, seat string) {
			if err := os.MkdirAll(seat, 0o755); err != nil {
				t.Fatal(err)
			}
			os.Chmod(seat, 0o555)
			t.Cleanup(func() { os.Chmod(seat, 0o755) })
		}, []string{"atlas", "quill"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.root && os.Geteuid() == 0 {
				t.Skip("root writes into a read-only folder")
			}
			dir := filepath.Join(t.TempDir(), "d")
			seat := filepath.Join(t.TempDir(), "seat")
			if r := runCLI(t, "", "--demo", "deploy", "create", "--product", "atlas", "--product", "quill", "--platform", plat, "--out", dir, "--target", seat); r.code != 0 {
				t.Fatalf("create: %s", r.stderr)
			}
			tt.setup(t, seat)
			r := runCLI(t, "", "--demo", "deploy", "install", dir, "--silent", "--json", "--log", filepath.Join(t.TempDir(), "log"))
			var res setup.DeploymentResult
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != exitFailed {
				t.Fatalf("exit %d, want %d: %v\n%s\n%s", r.code, exitFailed, err, r.stdout, r.stderr)
			}
			for _, p := range res.Products {
				if p.Status == "installed" {
					t.Errorf("%s installed despite the refusal", p.ID)
				}
				if named := slices.Contains(tt.unusable, p.ID); named != (p.Status == "target-unusable") || named && !strings.Contains(p.Detail, filepath.Join(seat)) {
					t.Errorf("%s: %s %q", p.ID, p.Status, p.Detail)
				}
			}
			for _, id := range []string{"atlas", "quill"} {
				if st, err := os.Stat(filepath.Join(seat, id)); err == nil && st.IsDir() {
					t.Errorf("%s installed despite the refusal", id)
				}
			}
			// The text form names each problem too.
			r = runCLI(t, "", "--demo", "deploy", "install", dir, "--silent", "--log", filepath.Join(t.TempDir(), "log"))
			for _, id := range tt.unusable {
				if !strings.Contains(r.stdout, id+": ") {
					t.Errorf("the result does not name %s's problem:\n%s", id, r.stdout)
				}
			}
		})
	}
}
