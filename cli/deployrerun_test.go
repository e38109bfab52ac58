package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/installer/native"
	"onramp.dev/onramp/setup"
)

// fakeWindowsProgram writes the smallest file CheckWindowsProgram takes
// for a Windows x64 program: an MZ header pointing at a PE header for
// machine AMD64.
func fakeWindowsProgram(t *testing.T, dir string) string {
	t.Helper()
	b := make([]byte, 0x40, 0x100)
	b[0], b[1] = 'M', 'Z'
	binary.LittleEndian.PutUint32(b[0x3c:], 0x40)
	b = append(b, 'P', 'E', 0, 0, 0x64, 0x86)
	b = append(b, []byte("a Windows assistant stand-in")...)
	return writeFile(t, dir, "assistant-stand-in.exe", b)
}

// deploySeat is a seat whose state (receipts, machine-wide receipts,
// logs, configuration) lasts across the CLI runs of one test.
func deploySeat(t *testing.T) (cli func(args ...string) result, logs string) {
	t.Helper()
	cli = cliWithState(t)
	t.Setenv(installer.MachineStateEnv, t.TempDir())
	logs = t.TempDir()
	t.Setenv(installer.MachineLogDirEnv, logs)
	t.Setenv(ProfileEnv, "")
	return cli, logs
}

// A deployment with Windows packages carries the Windows assistant, which
// its scripts run and nothing else; without one it is refused before any
// download, saying what to pass.
func TestDeployCreateCarriesWindowsAssistant(t *testing.T) {
	cli, _ := deploySeat(t)
	dir := filepath.Join(t.TempDir(), "d")
	r := cli("--demo", "deploy", "create", "--product", "atlas", "--platform", "windows/amd64", "--out", dir)
	if r.code != exitFailed || !strings.Contains(r.stderr, "--assistant FILE") || !strings.Contains(r.stderr, "assistant.exe") {
		t.Fatalf("without an assistant: exit %d, want %d naming --assistant\n%s%s", r.code, exitFailed, r.stdout, r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a refused deployment left files: %v", entries)
	}
	notWindows := writeFile(t, t.TempDir(), "assistant", []byte("#!/bin/sh\n"))
	if r := cli("--demo", "deploy", "create", "--product", "atlas", "--platform", "windows/amd64", "--out", dir, "--assistant", notWindows); r.code != exitFailed || !strings.Contains(r.stderr, "not a Windows x64 program") {
		t.Fatalf("a non-Windows --assistant: exit %d\n%s", r.code, r.stderr)
	}

	exe := fakeWindowsProgram(t, t.TempDir())
	if r := cli("--demo", "deploy", "create", "--product", "atlas", "--product", "quill", "--platform", "windows/amd64", "--out", dir, "--assistant", exe); r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	want, _ := os.ReadFile(exe)
	got, err := os.ReadFile(filepath.Join(dir, "assistant.exe"))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("assistant.exe in the folder: %v", err)
	}
	d, err := deploy.Read(dir)
	sum := sha256.Sum256(want)
	if err != nil || d.Assistant == nil || d.Assistant.SHA256 != hex.EncodeToString(sum[:]) || d.Assistant.Size != int64(len(want)) || d.Assistant.File != "assistant.exe" {
		t.Fatalf("deployment.json's assistant: %v %+v", err, d)
	}
	script, _ := os.ReadFile(filepath.Join(dir, "install-windows.cmd"))
	if !strings.Contains(string(script), "\r\n\"%~dp0assistant.exe\" --demo deploy install \"%~dp0.\" --silent --windows-exit-codes %*\r\n") {
		t.Errorf("install-windows.cmd does not run the folder's assistant:\n%s", script)
	}
	if strings.Contains(string(script), "ONRAMP_ASSISTANT") || strings.Contains(string(script), "\"assistant.exe\"") {
		t.Errorf("install-windows.cmd falls back to another assistant:\n%s", script)
	}
	uninstall, _ := os.ReadFile(filepath.Join(dir, "uninstall-windows.cmd"))
	for _, id := range []string{"atlas", "quill"} {
		if !strings.Contains(string(uninstall), "\"%~dp0assistant.exe\" --demo uninstall --product "+id+"\r\nif errorlevel 1 goto failed\r\n") {
			t.Errorf("uninstall-windows.cmd does not remove %s:\n%s", id, uninstall)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README-IT.txt"))
	for _, s := range []string{"install command:    install-windows.cmd", "uninstall command:  uninstall-windows.cmd",
		`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\Onramp.atlas`, "value name  DisplayVersion",
		"operator Equals, value 2.10.0", `Uninstall\Onramp.quill`, "3010  soft reboot", "1641  hard reboot", "1618  retry",
		"7     a newer version is installed", "9009  assistant.exe is missing", `%ProgramData%\Onramp\logs\deploy-atlas+quill.log`,
		catalog.KeyID(assets.DemoPublicKey())} {
		if !strings.Contains(string(readme), s) {
			t.Errorf("README-IT.txt lacks %q", s)
		}
	}
	if strings.Contains(string(readme), "folder under the target exists") {
		t.Error("README-IT.txt still gives the folder as the detection rule")
	}

	// Without Windows packages, no Windows script and no assistant.
	other := filepath.Join(t.TempDir(), "d")
	if r := cli("--demo", "deploy", "create", "--product", "atlas", "--platform", "linux/amd64", "--out", other); r.code != 0 {
		t.Fatalf("create for Linux: %d %s", r.code, r.stderr)
	}
	for _, f := range []string{"assistant.exe", "install-windows.cmd", "uninstall-windows.cmd"} {
		if _, err := os.Stat(filepath.Join(other, f)); err == nil {
			t.Errorf("a Linux-only deployment has %s", f)
		}
	}
}

// Re-running a deployment changes nothing and keeps the version kept for
// rollback; an older deployment is refused (exit 7) before anything
// changes, unless --allow-downgrade. The log has a stable name and is
// appended.
func TestDeployInstallRerunAndDowngrade(t *testing.T) {
	cli, logs := deploySeat(t)
	plat := string(catalog.CurrentPlatform())
	seat := filepath.Join(t.TempDir(), "seat")
	create := func(ref string) string {
		dir := filepath.Join(t.TempDir(), "d")
		if r := cli("--demo", "deploy", "create", "--product", ref, "--platform", plat, "--out", dir, "--target", seat); r.code != 0 {
			t.Fatalf("create %s: %d %s", ref, r.code, r.stderr)
		}
		return dir
	}
	older, newer := create("quill@3.0.2"), create("quill@3.1.0")
	in, err := installer.New(installer.Options{StateDir: filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "Onramp", "installs"),
		MachineStateDir: os.Getenv(installer.MachineStateEnv)})
	if err != nil {
		t.Fatal(err)
	}
	state := func() (cur, prev *installer.Receipt) {
		t.Helper()
		cur, err := in.Receipt("quill")
		if err != nil {
			t.Fatal(err)
		}
		prev, err = in.Previous("quill")
		if err != nil {
			t.Fatalf("no version kept for rollback: %v", err)
		}
		return cur, prev
	}
	install := func(dir string, extra ...string) (result, setup.DeploymentResult) {
		t.Helper()
		r := cli(append([]string{"--demo", "deploy", "install", dir, "--json"}, extra...)...)
		var res setup.DeploymentResult
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("install %v: exit %d: %v\n%s\n%s", extra, r.code, err, r.stdout, r.stderr)
		}
		return r, res
	}
	if r, _ := install(older); r.code != 0 {
		t.Fatalf("install 3.0.2: %d %s", r.code, r.stdout)
	}
	if r, _ := install(newer); r.code != 0 {
		t.Fatalf("install 3.1.0: %d %s", r.code, r.stdout)
	}
	cur, prev := state()
	if cur.Version != "3.1.0" || prev.Version != "3.0.2" {
		t.Fatalf("after the upgrade: %s, kept %s", cur.Version, prev.Version)
	}

	// The same deployment again: nothing changes, rollback is kept.
	r, res := install(newer)
	if r.code != 0 || res.Products[0].Status != setup.DeployUnchanged {
		t.Fatalf("re-run: exit %d, %+v", r.code, res.Products)
	}
	cur2, prev2 := state()
	if cur2.ID != cur.ID || prev2.ID != prev.ID || prev2.Version != "3.0.2" {
		t.Fatalf("re-run changed the install: %s (%s), kept %s (%s); was %s (%s), kept %s (%s)",
			cur2.Version, cur2.ID, prev2.Version, prev2.ID, cur.Version, cur.ID, prev.Version, prev.ID)
	}
	text := cli("--demo", "deploy", "install", newer, "--silent")
	if text.code != 0 || !strings.HasPrefix(text.stdout, "nothing to do: 1 product(s) installed already") {
		t.Errorf("re-run, text: %d %q", text.code, text.stdout)
	}

	// An older deployment: refused, nothing changed.
	r, res = install(older)
	if r.code != exitNewerInstalled || res.Products[0].Status != setup.DeployNewerInstalled || !strings.Contains(res.Products[0].Detail, "3.1.0 is installed") {
		t.Fatalf("older deployment: exit %d, want %d; %+v", r.code, exitNewerInstalled, res.Products)
	}
	text = cli("--demo", "deploy", "install", older, "--silent")
	if text.code != exitNewerInstalled || !strings.Contains(text.stdout, "quill 3.1.0 is installed, newer than the deployment's 3.0.2") || !strings.Contains(text.stdout, "--allow-downgrade") {
		t.Errorf("older deployment, text: %d %q", text.code, text.stdout)
	}
	if cur3, _ := state(); cur3.ID != cur.ID {
		t.Fatalf("a refused downgrade changed the install to %s", cur3.Version)
	}
	// Asked for: the downgrade happens.
	if r, _ := install(older, "--allow-downgrade"); r.code != 0 {
		t.Fatalf("--allow-downgrade: exit %d %s", r.code, r.stdout)
	}
	if cur4, _ := state(); cur4.Version != "3.0.2" {
		t.Fatalf("--allow-downgrade left %s", cur4.Version)
	}

	// One log, by the deployment's products, with every run in it.
	log, err := os.ReadFile(filepath.Join(logs, "deploy-quill.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "deploy install "); n != 7 {
		t.Errorf("the log has %d runs, want 7:\n%s", n, log)
	}
	if !strings.Contains(string(log), "quill 3.0.2: installed already: left as it is") && !strings.Contains(string(log), "quill 3.1.0: installed already: left as it is") {
		t.Errorf("the log does not say the re-run left quill as it was:\n%s", log)
	}
	if !strings.Contains(string(log), "exit code 7") {
		t.Errorf("the log does not give the exit code of the refused run:\n%s", log)
	}
}

// The log is bounded: past its limit it is set aside (one older log kept)
// and a new one starts.
func TestDeployLogBounded(t *testing.T) {
	cli, logs := deploySeat(t)
	dir := filepath.Join(t.TempDir(), "d")
	seat := filepath.Join(t.TempDir(), "seat")
	if r := cli("--demo", "deploy", "create", "--product", "quill", "--platform", string(catalog.CurrentPlatform()), "--out", dir, "--target", seat); r.code != 0 {
		t.Fatalf("create: %s", r.stderr)
	}
	path := filepath.Join(logs, "deploy-quill.log")
	big := bytes.Repeat([]byte("an old line of an old run\n"), maxDeployLog/26+1)
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := cli("--demo", "deploy", "install", dir, "--silent"); r.code != 0 || !strings.Contains(r.stdout, "(log: "+path+")") {
		t.Fatalf("install: %d %s", r.code, r.stdout)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() >= maxDeployLog {
		t.Fatalf("the log was not started afresh: %v %v", st.Size(), err)
	}
	if old, err := os.ReadFile(path + ".old"); err != nil || !bytes.Equal(old, big) {
		t.Fatalf("the previous log was not kept as .old: %v", err)
	}
}

// A seat that does not trust the folder's key says so, not that the
// folder was changed; the publisher profile's keys (trusted machine-wide,
// as SYSTEM needs) install it with no configuration at all.
func TestDeployInstallUntrustedKeySaysSo(t *testing.T) {
	cli, _ := deploySeat(t)
	dir := filepath.Join(t.TempDir(), "d")
	seat := filepath.Join(t.TempDir(), "seat")
	if r := cli("--demo", "deploy", "create", "--product", "quill", "--platform", string(catalog.CurrentPlatform()), "--out", dir, "--target", seat); r.code != 0 {
		t.Fatalf("create: %s", r.stderr)
	}
	// The publisher's real key: the same catalog, signed by it.
	_, key, err := generateKey()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now().Add(-time.Minute), time.Hour, key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "catalog.signed.json", signed)
	r := cli("deploy", "install", dir, "--silent")
	first, _, _ := strings.Cut(r.stdout, "\n")
	if r.code != exitIntegrity || !strings.Contains(first, "signed by a key this seat does not trust") ||
		!strings.Contains(first, "install the publisher profile") || strings.Contains(r.stdout, "does not match") {
		t.Fatalf("untrusted key: exit %d\n%s", r.code, r.stdout)
	}
	prof := writeFile(t, t.TempDir(), "profile.json", []byte(`{"publisher": "Northwind Software", "service_url": "https://accounts.northwind.example",
		"catalog_keys": ["`+catalog.FormatPublicKey(key.Public().(ed25519PublicKey))+`"]}`))
	t.Setenv(ProfileEnv, prof)
	if r := cli("deploy", "install", dir, "--silent"); r.code != 0 || !strings.HasPrefix(r.stdout, "installed 1 product(s)") {
		t.Fatalf("with the profile's key: exit %d %s", r.code, r.stdout)
	}
}

// Exit codes: the contract's 7 and 8, and with --windows-exit-codes the
// codes Intune and Configuration Manager act on.
func TestDeployExitCodes(t *testing.T) {
	busy := &native.Error{Format: catalog.FormatMSI, Code: 1618}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("quill: %w", busy), exitBusy},
		{fmt.Errorf("quill: %w", installer.ErrLocked), exitBusy},
		{&setup.NewerInstalledError{Products: []setup.NewerInstalled{{Product: "quill", Installed: "3.1.0", Deployed: "3.0.2"}}}, exitNewerInstalled},
		{&native.Error{Format: catalog.FormatMSI, Code: 1603}, exitFailed},
		{&native.Error{Format: catalog.FormatPKG, Code: 1618}, exitFailed},
	} {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if !errors.Is(busy, native.ErrAnotherInstall) {
		t.Error("MSI 1618 is not ErrAnotherInstall")
	}
	for _, tt := range []struct {
		res  setup.DeploymentResult
		code int
		want int
	}{
		{setup.DeploymentResult{}, exitOK, 0},
		{setup.DeploymentResult{RebootNeeded: true}, exitOK, 3010},
		{setup.DeploymentResult{RebootNeeded: true, RestartStarted: true}, exitOK, 1641},
		{setup.DeploymentResult{}, exitBusy, 1618},
		{setup.DeploymentResult{RebootNeeded: true}, exitFailed, exitFailed},
		{setup.DeploymentResult{}, exitNewerInstalled, exitNewerInstalled},
		{setup.DeploymentResult{}, exitIntegrity, exitIntegrity},
	} {
		if got := windowsExitCode(&tt.res, tt.code); got != tt.want {
			t.Errorf("windowsExitCode(%+v, %d) = %d, want %d", tt.res, tt.code, got, tt.want)
		}
	}
}
