package cli

import (
	"os"
	"testing"

	"onramp.dev/onramp/installer"
)

// TestMain keeps machine-wide receipts of the tests (installs run as root
// are machine-wide) in a folder of their own, never the machine's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "onramp-machine-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv(installer.MachineStateEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
