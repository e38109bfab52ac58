//go:build !linux && !windows && !darwin

package urlscheme

import "context"

// Register is not supported on this OS.
func Register(context.Context, string) (*Registration, error) {
	return nil, ErrUnsupported
}
