//go:build !windows

package ui

// CheckGraphics is Windows' check: elsewhere Fyne's own error reaches the
// terminal or the desktop's log.
func CheckGraphics() error { return nil }

func messageBox(string, string) {}
