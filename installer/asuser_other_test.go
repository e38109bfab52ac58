//go:build !linux

package installer

import "testing"

// runAsUser: elsewhere the tests run as the user CI gives them.
func runAsUser(t *testing.T, test string) bool { return false }
