//go:build !windows

package syscheck

// cpuFromOS: elsewhere gopsutil's reading is all there is.
func cpuFromOS() (model string, mhz int) { return "", 0 }
