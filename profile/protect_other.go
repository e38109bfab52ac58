//go:build !windows

package profile

// protect: elsewhere the file is root's (install runs as root) and its
// mode 0644 is set when it is written.
func protect(string) error { return nil }
