// Package urlscheme registers Onramp with the OS as the handler of
// onramp:// links (the start page's "Open in Onramp" button), so that the
// OS starts the window with the link as its only argument:
//
//	Onramp onramp://signin?server=...&user=...
//
// Each OS has its own place, behind build tags with one API: a .desktop
// file and xdg-mime on Linux, the per-user registry classes on Windows,
// the app bundle's CFBundleURLTypes on macOS (declared at packaging time,
// nothing to do at run time). Called by `assistant register-url-scheme`.
package urlscheme

import "errors"

// Scheme is the URL scheme Onramp handles.
const Scheme = "onramp"

// ErrDeclaredByBundle: on macOS the app bundle declares the scheme; there
// is nothing to register at run time.
var ErrDeclaredByBundle = errors.New("on macOS the scheme is declared by Onramp.app (CFBundleURLTypes in its Info.plist): nothing to register")

// ErrUnsupported: this OS has no known place for URL handlers.
var ErrUnsupported = errors.New("registering a URL scheme is not supported on this OS")

// Registration says what Register did, for the command to print.
type Registration struct {
	Program string   `json:"program"` // the window's program the OS starts
	Wrote   []string `json:"wrote"`   // files or registry keys written
}
