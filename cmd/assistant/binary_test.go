package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"onramp.dev/onramp/installer"
)

// TestMain keeps machine-wide receipts of the binaries the tests run
// (installs run as root are machine-wide) in a folder of their own, never
// the machine's: the children inherit the variable.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "onramp-machine-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv(installer.MachineStateEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goEnv holds the go command's caches as they were before any test moved
// HOME: a build under a test's HOME would start from a cold cache.
var goEnv = func() []string {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		return nil
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(v) != 3 {
		return nil
	}
	return []string{"GOCACHE=" + v[0], "GOMODCACHE=" + v[1], "GOPATH=" + v[2]}
}()

// buildOnce compiles the real binary once for the tests that run it.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func assistantBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "assistant-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "assistant")
		cmd := exec.Command("go", "build", "-tags", "tour", "-o", buildOnce.path, ".") // with the screenshot tour
		cmd.Env = append(os.Environ(), goEnv...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildOnce.err = err
			t.Logf("%s", out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// The release build stamps the version with -ldflags "-X main.version=...":
// the command line, in its own package, shows it.
func TestVersionStamp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "assistant")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=9.8.7", "-o", bin, ".")
	build.Env = append(os.Environ(), goEnv...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Version string }
	if err := json.Unmarshal(out, &v); err != nil || v.Version != "9.8.7" {
		t.Fatalf("version %q (%v); want 9.8.7 from %s", v.Version, err, out)
	}
}
