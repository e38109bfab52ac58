//go:build unix

package syscheck

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup makes a timed-out probe take its children with it: a
// stuck tool's helpers must not outlive the check.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
