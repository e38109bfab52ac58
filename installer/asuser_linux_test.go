package installer

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// runAsUser runs the test named test again as an unprivileged user when
// this process is root, who ignores permission bits: what a folder's mode
// forbids its owner can only be seen without root's rights. It reports
// whether it did (the caller then stops: the other run was the test).
func runAsUser(t *testing.T, test string) bool {
	t.Helper()
	if os.Geteuid() != 0 || os.Getenv("ONRAMP_AS_USER") != "" {
		return false
	}
	base, err := os.MkdirTemp("", "onramp-as-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "installer.test")
	if err := copyFile(os.Args[0], bin, 0o755); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	tmp := filepath.Join(base, "tmp")
	os.Mkdir(tmp, 0o777)
	os.Chmod(tmp, 0o777)
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Dir = wd
	cmd.Env = append(os.Environ(), "ONRAMP_AS_USER=1", "TMPDIR="+tmp, "HOME="+tmp, "XDG_CONFIG_HOME="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as user 65534: %v\n%s", test, err, out)
	}
	t.Logf("ran as user 65534:\n%s", out)
	return true
}
