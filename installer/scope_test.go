package installer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
)

// A machine-wide install (as root or SYSTEM would make it) is
// installed for every user: their lookups consult the machine's receipts.
func TestMachineWideReceipts(t *testing.T) {
	ctx := context.Background()
	machine, rootState, userState := t.TempDir(), t.TempDir(), t.TempDir()
	target := filepath.Join(t.TempDir(), "atlas")
	root, err := New(Options{StateDir: rootState, MachineStateDir: machine, Scope: ScopeMachine})
	if err != nil {
		t.Fatal(err)
	}
	v1 := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	v2 := writePackage(t, buildZip(t, append([]file{{name: "NEW.txt", body: "v2"}}, product...)), catalog.FormatZip, "2.0.0")
	rec, err := root.Install(ctx, v1, target)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Scope != ScopeMachine || !exists(filepath.Join(machine, "atlas.json")) || exists(filepath.Join(rootState, "atlas.json")) {
		t.Fatalf("machine-wide install kept its receipt elsewhere (scope %q)", rec.Scope)
	}
	// Another user, another per-user folder, the same machine.
	user, err := New(Options{StateDir: userState, MachineStateDir: machine})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() (string, error)
		want string
	}{
		{"receipt", func() (string, error) { r, err := user.Receipt("atlas"); return ver(r, err) }, "1.0.0"},
		{"verify", func() (string, error) {
			v, err := user.Verify(ctx, "atlas")
			if err != nil || !v.OK() {
				return "", err
			}
			return v.Version, nil
		}, "1.0.0"},
		{"receipts", func() (string, error) {
			rs, err := user.Receipts()
			if err != nil || len(rs) != 1 || rs[0].Scope != ScopeMachine {
				return "", err
			}
			return rs[0].Version, nil
		}, "1.0.0"},
		{"plan", func() (string, error) {
			p, err := user.PlanInstall(ctx, v2, target)
			if err != nil {
				return "", err
			}
			return p.Replaces, nil
		}, "1.0.0"},
		{"repair", func() (string, error) { r, err := user.Repair(ctx, "atlas"); return ver(r, err) }, "1.0.0"},
		{"upgrade-stays-machine-wide", func() (string, error) { r, err := user.Install(ctx, v2, target); return ver(r, err) }, "2.0.0"},
		{"rollback", func() (string, error) { r, err := user.Rollback(ctx, "atlas"); return ver(r, err) }, "1.0.0"},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil || got != s.want {
			t.Fatalf("%s: %q %v, want %s", s.name, got, err, s.want)
		}
	}
	if exists(filepath.Join(userState, "atlas.json")) {
		t.Error("a per-user receipt appeared")
	}
	if _, err := user.Uninstall(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(machine, "atlas.json")) || exists(target) {
		t.Error("uninstall left the machine-wide install")
	}
}

func ver(r *Receipt, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return r.Version, nil
}

func TestDefaultScope(t *testing.T) {
	machineRoot, home := filepath.FromSlash("/opt/onramp"), filepath.FromSlash("/home/ann")
	tests := []struct {
		name     string
		target   string
		elevated bool
		want     Scope
	}{
		{"user-folder", "/home/ann/apps/atlas", false, ScopeUser},
		{"machine-folder", "/opt/onramp/atlas", false, ScopeMachine},
		{"machine-folder-elevated", "/opt/onramp/atlas", true, ScopeMachine},
		{"elevated-elsewhere", "/srv/atlas", true, ScopeMachine},
		{"elevated-own-home", "/home/ann/apps/atlas", true, ScopeUser},
		{"not-elevated-elsewhere", "/srv/atlas", false, ScopeUser},
		{"sibling-of-machine-folder", "/opt/onramp-other/atlas", false, ScopeUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultScope(filepath.FromSlash(tt.target), tt.elevated, machineRoot, home); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMachineStateDirOverride(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(MachineStateEnv, dir)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if MachineStateDir() != dir {
		t.Errorf("MachineStateDir() = %s", MachineStateDir())
	}
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if in.machineDir != dir {
		t.Errorf("the installer's machine-wide folder is %s", in.machineDir)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}
