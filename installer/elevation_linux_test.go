package installer

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"onramp.dev/onramp/catalog"
)

// TestHelperUser runs Uninstall as an unprivileged user for
// TestMachineWideNeedsRights.
func TestHelperUser(t *testing.T) {
	if os.Getenv("ONRAMP_AS_USER") == "" {
		t.Skip("run by TestMachineWideNeedsRights")
	}
	in, err := New(Options{StateDir: t.TempDir(), MachineStateDir: os.Getenv("ONRAMP_MACHINE")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Verify(context.Background(), "atlas"); err != nil {
		t.Fatalf("verify of a machine-wide install, as a user: %v", err)
	}
	_, err = in.Uninstall(context.Background(), "atlas")
	var ee *ElevationError
	if !errors.As(err, &ee) || ee.Product != "atlas" {
		t.Fatalf("uninstall of a machine-wide install, as a user: %v", err)
	}
}

// A user may verify a machine-wide install, and is told that changing it
// needs administrator rights (not a bare "permission denied").
func TestMachineWideNeedsRights(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a machine-wide install and drop to another user")
	}
	base, err := os.MkdirTemp("", "onramp-rights-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	machine, target := filepath.Join(base, "state"), filepath.Join(base, "atlas")
	in, err := New(Options{StateDir: filepath.Join(base, "root"), MachineStateDir: machine, Scope: ScopeMachine})
	if err != nil {
		t.Fatal(err)
	}
	pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	if _, err := in.Install(context.Background(), pkg, target); err != nil {
		t.Fatal(err)
	}
	// The test binary, where the other user can run it.
	bin := filepath.Join(base, "installer.test")
	if err := copyFile(os.Args[0], bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestHelperUser$", "-test.v")
	cmd.Dir = base
	tmp := filepath.Join(base, "tmp")
	os.Mkdir(tmp, 0o777)
	os.Chmod(tmp, 0o777)
	cmd.Env = append(os.Environ(), "ONRAMP_AS_USER=1", "ONRAMP_MACHINE="+machine, "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	var pe *os.PathError
	if errors.As(err, &pe) {
		t.Skipf("cannot run the test binary as another user: %v", err)
	}
	if err != nil {
		t.Fatalf("as a user: %v\n%s", err, out)
	}
	if r, err := in.Receipt("atlas"); err != nil || r.Version != "1.0.0" {
		t.Errorf("the machine-wide install after a user's attempt: %+v %v", r, err)
	}
}
