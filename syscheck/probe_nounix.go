//go:build !unix

package syscheck

import "os/exec"

// ownProcessGroup: on Windows, CommandContext's kill of the probe is enough
// for the tools used (PowerShell ends its pipeline with itself).
func ownProcessGroup(*exec.Cmd) {}
