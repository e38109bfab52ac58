//go:build !linux && !darwin && !windows

package profile

// MachinePath is "" where Onramp has no machine-wide folder.
func MachinePath() string { return "" }
