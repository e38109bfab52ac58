//go:build !windows && !darwin

package account

import (
	"fmt"
	"os"
)

// sessionBusMissing reports whether no D-Bus session bus can be found the
// way godbus finds one (the environment, then the runtime folder's socket
// or address file). godbus would then run dbus-launch, whose dbus-daemon
// (and the gnome-keyring-daemon it activates) outlive the assistant: an
// assistant run over SSH or from cron must start nothing.
func sessionBusMissing() bool {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return false
	}
	dir := fmt.Sprintf("/run/user/%d", os.Getuid())
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(dir + "/" + name); err == nil {
			return false
		}
	}
	return true
}
