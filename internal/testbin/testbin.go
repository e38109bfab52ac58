// Package testbin builds the project's programs for tests that run them as
// users do (a real process, its exit code and output), and keeps those
// processes' machine-wide state away from the machine's. Tests of cli and
// cmd/assistant use it; nothing else may.
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"onramp.dev/onramp/installer"
)

// goEnv holds the go command's caches as they were before any test moved
// HOME: a build under a test's HOME would start from a cold cache.
var goEnv = sync.OnceValue(func() []string {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		return nil
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(v) != 3 {
		return nil
	}
	return []string{"GOCACHE=" + v[0], "GOMODCACHE=" + v[1], "GOPATH=" + v[2]}
})

// Build compiles pkg (a path the go command understands from the test's
// folder) with the given go build flags into a temporary folder and
// returns the program's path.
func Build(t testing.TB, pkg string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), programName(pkg))
	if err := build(bin, pkg, flags); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Once is Build done once per process for the same package and flags,
// for the many tests that run the same program.
func Once(t testing.TB, pkg string, flags ...string) string {
	t.Helper()
	key := pkg + "\x00" + strings.Join(flags, "\x00")
	v, _ := built.LoadOrStore(key, &onceBuild{})
	b := v.(*onceBuild)
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "onramp-testbin-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, programName(pkg))
		b.err = build(b.path, pkg, flags)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// programName is the name go build gives pkg's program: its folder's.
func programName(pkg string) string {
	if abs, err := filepath.Abs(pkg); err == nil {
		return filepath.Base(abs)
	}
	return filepath.Base(pkg)
}

type onceBuild struct {
	once sync.Once
	path string
	err  error
}

var built sync.Map // key → *onceBuild

func build(bin, pkg string, flags []string) error {
	args := append(append([]string{"build"}, flags...), "-o", bin, pkg)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), goEnv()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return &buildError{pkg: pkg, err: err, out: string(out)}
	}
	return nil
}

type buildError struct {
	pkg, out string
	err      error
}

func (e *buildError) Error() string { return "build " + e.pkg + ": " + e.err.Error() + "\n" + e.out }

// Main runs a package's tests with machine-wide receipts (installs run as
// root are machine-wide) in a folder of their own, never the machine's:
// the programs the tests start inherit the variable. Call it from
// TestMain.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "onramp-machine-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv(installer.MachineStateEnv, dir)
	// Read the go command's caches now, before a test moves HOME: built
	// later, under a test's HOME, a program would start from a cold cache
	// (minutes of cgo for the window's libraries).
	goEnv()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
