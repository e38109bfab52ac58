//go:build !windows

package native

import "fmt"

// ProductCode needs Windows Installer's msi.dll.
func ProductCode(pkg string) (string, error) {
	return "", fmt.Errorf("%s: %w", pkg, ErrWrongOS)
}
