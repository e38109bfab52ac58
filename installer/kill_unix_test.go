//go:build unix

package installer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"onramp.dev/onramp/catalog"
)

// TestHelperProcess is the install a test kills: run by the tests below
// with ONRAMP_KILL_AT set, it SIGKILLs itself at that step.
func TestHelperProcess(t *testing.T) {
	step := os.Getenv("ONRAMP_KILL_AT")
	if step == "" {
		t.Skip("run by TestKilledEverywhere")
	}
	scope := ScopeUser
	if os.Getenv("ONRAMP_SCOPE") != "" {
		scope = Scope(os.Getenv("ONRAMP_SCOPE"))
	}
	in, err := New(Options{StateDir: os.Getenv("ONRAMP_STATE"), Scope: scope, AllowNonEmptyTarget: os.Getenv("ONRAMP_ADOPT") != ""})
	if err != nil {
		t.Fatal(err)
	}
	in.failAt = func(s string) error {
		if s == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal ends the process
		}
		return nil
	}
	pkg := Package{Path: os.Getenv("ONRAMP_PKG"), SHA256: os.Getenv("ONRAMP_SHA256"), Format: catalog.FormatZip, Product: "atlas", Version: "2.0.0"}
	if os.Getenv("ONRAMP_OP") == "repair" {
		_, err = in.Repair(context.Background(), "atlas")
	} else {
		_, err = in.Install(context.Background(), pkg, os.Getenv("ONRAMP_TARGET"))
	}
	t.Fatalf("not killed at %s: %v", step, err)
}

// A process killed at any point of staging or of the commit
// leaves nothing that the next command, whichever it is, does not finish
// or undo first: no staging folder stays, and the product is installed
// (the old version, or the new one once its receipt is written).
func TestKilledEverywhere(t *testing.T) {
	ctx := context.Background()
	steps := []struct {
		op, step string
		want     string // the version installed after recovery
		adopted  bool   // into a folder of the user's, allowed: in place
	}{
		{"install", "staged", "1.0.0", false},
		{"install", "begin", "1.0.0", false},
		{"install", "moved-old", "1.0.0", false},
		{"install", "moved-new", "1.0.0", false},
		{"install", "receipts", "1.0.0", false},
		{"install", "receipt", "1.0.0", false},
		{"install", "carried", "2.0.0", false},
		{"repair", "staged", "1.0.0", false},
		{"repair", "moved-old", "1.0.0", false},
		{"repair", "moved-new", "1.0.0", false},
		{"repair", "carried", "1.0.0", false},
		{"install", "begin", "1.0.0", true},
		{"install", "moved-old", "1.0.0", true},
		{"install", "moved-new", "1.0.0", true},
		{"install", "receipts", "1.0.0", true},
		{"install", "receipt", "1.0.0", true},
		{"install", "carried", "2.0.0", true},
		{"repair", "moved-old", "1.0.0", true},
		{"repair", "moved-new", "1.0.0", true},
		{"repair", "carried", "1.0.0", true},
	}
	commands := []struct {
		name string
		run  func(in *Installer, v2 Package, target string) (string, error) // the version it leaves
	}{
		{"verify", func(in *Installer, _ Package, _ string) (string, error) {
			rep, err := in.Verify(ctx, "atlas")
			if err == nil && !rep.OK() {
				err = errors.New("verify: " + strings.Join(append(rep.Missing, rep.Changed...), ", "))
			}
			if err != nil {
				return "", err
			}
			return rep.Version, nil
		}},
		{"receipt", func(in *Installer, _ Package, _ string) (string, error) {
			r, err := in.Receipt("atlas")
			if err != nil {
				return "", err
			}
			return r.Version, nil
		}},
		{"receipts", func(in *Installer, _ Package, _ string) (string, error) {
			rs, err := in.Receipts()
			if err != nil || len(rs) != 1 {
				return "", fmt.Errorf("receipts %v: %w", rs, err)
			}
			return rs[0].Version, nil
		}},
		{"plan", func(in *Installer, v2 Package, target string) (string, error) {
			p, err := in.PlanInstall(ctx, v2, target)
			if err != nil {
				return "", err
			}
			return p.Replaces, nil
		}},
		{"repair", func(in *Installer, _ Package, _ string) (string, error) {
			r, err := in.Repair(ctx, "atlas")
			if err != nil {
				return "", err
			}
			return r.Version, nil
		}},
		{"rollback", func(in *Installer, _ Package, _ string) (string, error) {
			_, err := in.Rollback(ctx, "atlas")
			return "rolled back", err
		}},
		{"uninstall", func(in *Installer, _ Package, _ string) (string, error) {
			_, err := in.Uninstall(ctx, "atlas")
			return "uninstalled", err
		}},
		{"install", func(in *Installer, v2 Package, target string) (string, error) {
			r, err := in.Install(ctx, v2, target)
			if err != nil {
				return "", err
			}
			return r.Version, nil
		}},
	}
	v0 := writePackage(t, buildZip(t, []file{{name: "OLD.txt", body: "v0"}}), catalog.FormatZip, "0.9.0")
	v1 := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	v2 := writePackage(t, buildZip(t, append([]file{{name: "NEW.txt", body: "v2"}}, product...)), catalog.FormatZip, "2.0.0")
	for _, s := range steps {
		for _, c := range commands {
			name := s.op + "-" + s.step
			if s.adopted {
				name = "adopted-" + name
			}
			t.Run(name+"/"+c.name, func(t *testing.T) {
				state, parent := t.TempDir(), t.TempDir()
				target := filepath.Join(parent, "atlas")
				if s.adopted {
					os.MkdirAll(filepath.Join(target, "docs"), 0o755)
					os.WriteFile(filepath.Join(target, "docs", "letter.txt"), []byte("dear"), 0o644)
				}
				in, err := New(Options{StateDir: state, Scope: ScopeUser, AllowNonEmptyTarget: s.adopted})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range []Package{v0, v1} {
					if _, err := in.Install(ctx, p, target); err != nil {
						t.Fatal(err)
					}
				}
				os.WriteFile(filepath.Join(target, "mine.txt"), []byte("mine"), 0o644)
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
				cmd.Env = append(os.Environ(), "ONRAMP_KILL_AT="+s.step, "ONRAMP_OP="+s.op, "ONRAMP_STATE="+state,
					"ONRAMP_TARGET="+target, "ONRAMP_PKG="+v2.Path, "ONRAMP_SHA256="+v2.SHA256)
				if s.adopted {
					cmd.Env = append(cmd.Env, "ONRAMP_ADOPT=1")
				}
				err = cmd.Run()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("the helper was not killed: %v", err)
				}
				got, err := c.run(in, v2, target)
				if err != nil {
					t.Fatalf("%s after a kill at %s: %v", c.name, s.step, err)
				}
				switch c.name {
				case "verify", "receipt", "receipts", "plan", "repair":
					if got != s.want {
						t.Errorf("%s says %s, want %s", c.name, got, s.want)
					}
				}
				if b, err := os.ReadFile(filepath.Join(target, "mine.txt")); err != nil || string(b) != "mine" {
					t.Errorf("the user's file: %q %v", b, err)
				}
				if b, err := os.ReadFile(filepath.Join(target, "docs", "letter.txt")); s.adopted && (err != nil || string(b) != "dear") {
					t.Errorf("the user's letter: %q %v", b, err)
				}
				es, _ := os.ReadDir(parent)
				for _, e := range es {
					if strings.HasPrefix(e.Name(), ".onramp-staging") || strings.Contains(e.Name(), ".onramp-damaged") || strings.Contains(e.Name(), ".onramp-swap") || strings.HasSuffix(e.Name(), ".old") {
						t.Errorf("left beside the target: %s", e.Name())
					}
				}
				if _, err := os.Stat(filepath.Join(state, "atlas.journal.json")); err == nil {
					t.Error("the journal is still there")
				}
			})
		}
	}
}

// A first install killed while staging leaves its hidden staging folder
// and nothing else. verify, uninstall and the list of receipts, made with
// the assistant's usual installer (no scope chosen), find it in the
// store the install was made in, remove it, and say so: the product is
// not installed.
func TestKilledFirstInstallCleanedUp(t *testing.T) {
	ctx := context.Background()
	v1 := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	commands := map[string]func(in *Installer) error{
		"verify": func(in *Installer) error {
			_, err := in.Verify(ctx, "atlas")
			return err
		},
		"uninstall": func(in *Installer) error {
			_, err := in.Uninstall(ctx, "atlas")
			return err
		},
		"receipts": func(in *Installer) error {
			rs, err := in.Receipts()
			if err == nil && len(rs) > 0 {
				err = fmt.Errorf("receipts %v", rs)
			}
			return err
		},
	}
	for _, scope := range []Scope{ScopeUser, ScopeMachine} {
		for name, run := range commands {
			t.Run(string(scope)+"/"+name, func(t *testing.T) {
				state, parent := t.TempDir(), t.TempDir()
				target := filepath.Join(parent, "atlas")
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
				cmd.Env = append(os.Environ(), "ONRAMP_KILL_AT=staged", "ONRAMP_OP=install", "ONRAMP_STATE="+state, "ONRAMP_SCOPE="+string(scope),
					"ONRAMP_TARGET="+target, "ONRAMP_PKG="+v1.Path, "ONRAMP_SHA256="+v1.SHA256)
				err := cmd.Run()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("the helper was not killed: %v", err)
				}
				staging := func() []string {
					var out []string
					es, _ := os.ReadDir(parent)
					for _, e := range es {
						if strings.HasPrefix(e.Name(), ".onramp-staging") {
							out = append(out, filepath.Join(parent, e.Name()))
						}
					}
					return out
				}
				left := staging()
				if len(left) != 1 {
					t.Fatalf("the killed install left %v, want one staging folder", left)
				}
				in, err := New(Options{StateDir: state})
				if err != nil {
					t.Fatal(err)
				}
				err = run(in)
				var ne *NotInstalledError
				switch {
				case name == "receipts" && err != nil:
					t.Fatal(err)
				case name != "receipts" && (!errors.Is(err, ErrNotInstalled) || !errors.As(err, &ne) || !strings.Contains(err.Error(), left[0])):
					t.Fatalf("err = %v, want not installed, naming the removed %s", err, left[0])
				}
				if l := staging(); len(l) > 0 {
					t.Errorf("still there: %v", l)
				}
			})
		}
	}
}
