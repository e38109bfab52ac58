// Package sessiontest is how tests find the desktop session parts they
// need (a D-Bus session bus with the Secret Service, as .ci/with-session
// starts it), the way pgtest finds PostgreSQL: a test that needs them
// skips on a developer's machine without them, and fails in CI
// (CI=true), where a skip would pass a suite that proved nothing.
package sessiontest

import (
	"os"
	"testing"
)

// RequireBus stops t unless a D-Bus session bus is set: a skip outside
// CI, a failure in CI.
func RequireBus(t testing.TB) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	const how = "no D-Bus session: run the tests through .ci/with-session (D-Bus + gnome-keyring)"
	if os.Getenv("CI") == "true" {
		t.Fatal(how)
	}
	t.Skip(how)
}
