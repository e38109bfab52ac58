package sessiontest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Without a bus, RequireBus skips outside CI and fails under CI=true; with
// one it lets the test run. Each case runs in a child test process, whose
// outcome is read from its exit status and output.
func TestRequireBus(t *testing.T) {
	if os.Getenv("SESSIONTEST_CHILD") != "" {
		RequireBus(t)
		os.Stdout.WriteString("ran on\n")
		return
	}
	tests := []struct {
		name, bus, ci string
		fails         bool
		want          string
	}{
		{"no-bus-outside-ci", "", "", false, "SKIP"},
		{"no-bus-in-ci", "", "true", true, "no D-Bus session"},
		{"bus", "unix:path=/nonexistent", "true", false, "ran on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestRequireBus$", "-test.v")
			cmd.Env = append(os.Environ(), "SESSIONTEST_CHILD=1", "DBUS_SESSION_BUS_ADDRESS="+tt.bus, "CI="+tt.ci)
			out, err := cmd.CombinedOutput()
			if (err != nil) != tt.fails || !strings.Contains(string(out), tt.want) {
				t.Errorf("err %v (want failure: %v), output lacks %q:\n%s", err, tt.fails, tt.want, out)
			}
		})
	}
}
