package installer

import "golang.org/x/sys/windows"

// elevated reports whether the process runs with an elevated token (an
// administrator's "Run as administrator", or SYSTEM).
func elevated() bool { return windows.GetCurrentProcessToken().IsElevated() }
