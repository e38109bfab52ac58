package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDeployCreateAndInstall(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	dir := filepath.Join(t.TempDir(), "deployment")
	seat := filepath.Join(t.TempDir(), "seat")
	plat := runtime.GOOS + "/" + runtime.GOARCH
	r := runCLI(t, "", "--demo", "deploy", "create", "--product", "atlas", "--product", "quill@3.0.2",
		"--platform", plat, "--platform", "windows/amd64", "--out", dir, "--target", seat, "--license-server", "lic.example.com:27000")
	if r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	for _, f := range []string{"deployment.json", "install-windows.cmd", "install-macos.sh", "install-linux.sh", "README-IT.txt",
		"packages/atlas-2.10.0-windows-amd64.zip", "packages/quill-3.0.2-windows-amd64.zip"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	cmd, _ := os.ReadFile(filepath.Join(dir, "install-windows.cmd"))
	if !strings.Contains(string(cmd), "deploy install \"%~dp0.\" --silent\r\n") {
		t.Errorf("windows script: %q", cmd)
	}
	if r := runCLI(t, "", "--demo", "deploy", "create", "--product", "atlas", "--out", dir); r.code == 0 {
		t.Error("create over an existing deployment succeeded")
	}

	// The seat: the real script runs the real binary.
	bin := assistantBinary(t)
	script := exec.Command("sh", filepath.Join(dir, "install-"+map[string]string{"darwin": "macos"}[runtime.GOOS]+map[bool]string{true: "linux"}[runtime.GOOS == "linux"]+".sh"))
	script.Env = append(os.Environ(), "ONRAMP_ASSISTANT="+bin, "XDG_CONFIG_HOME="+filepath.Join(home, "seat-config"))
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
		{"requirements-not-met", func(t *testing.T, dir string) {
			edit(t, dir, func(d map[string]any) {
				p := d["products"].([]any)[1].(map[string]any)
				p["requirements"] = map[string]any{plat: map[string]any{"memory": map[string]any{"min": "900 TiB"}}}
			})
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
			r := runCLI(t, "", "deploy", "install", dir, "--silent", "--json", "--log", logFile)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.want) {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if _, err := os.Stat(seat); err == nil {
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
