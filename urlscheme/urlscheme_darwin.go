package urlscheme

import "context"

// Register has nothing to do on macOS: Onramp.app declares the scheme in
// its Info.plist (CFBundleURLTypes), and Launch Services reads it when
// the app is installed.
func Register(context.Context, string) (*Registration, error) {
	return nil, ErrDeclaredByBundle
}
