//go:build nogui

package main

import "onramp.dev/onramp/cli"

// openWindow is nil in the command-line build (go build -tags nogui): no
// Fyne, no cgo, so it cross-compiles for every OS and starts in
// milliseconds. The release ships it as assistant (assistant.exe on
// Windows, the console program IT scripts call), beside the window's
// program, Onramp, built without the tag.
var openWindow cli.GUI
