//go:build !windows

package installer

import "fmt"

// msiProductCode needs Windows Installer's msi.dll.
func msiProductCode(pkg string) (string, error) {
	return "", fmt.Errorf("%s: %w", pkg, ErrWrongOS)
}
