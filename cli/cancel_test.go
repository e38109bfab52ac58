package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/installer"
)

// An interrupted command (Ctrl-C cancels its context) says so in words
// and exits 130, never with Go's "context canceled".
func TestInterruptedSaysCancelled(t *testing.T) {
	dir := t.TempDir()
	pkg, sum := testPackage(t, dir, "app.zip", map[string]string{"bin/app": "x"})
	t.Setenv("ONRAMP_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv(installer.MachineStateEnv, t.TempDir())
	for _, json := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		args := []string{"install", "--package", pkg, "--product", "app@1.0", "--sha256", sum, "--target", filepath.Join(dir, "target")}
		if json {
			args = append(args, "--json")
		}
		var out, errb bytes.Buffer
		code := run(ctx, args, strings.NewReader(""), &out, &errb)
		all := out.String() + errb.String()
		if code != exitInterrupted || strings.Contains(all, "context canceled") || !strings.Contains(errb.String(), "cancelled") {
			t.Errorf("json %v: exit %d, stdout %q, stderr %q; want 130 and \"cancelled\" in words", json, code, out.String(), errb.String())
		}
	}
}

func TestErrorText(t *testing.T) {
	for in, want := range map[error]string{
		context.Canceled: "cancelled (interrupted); nothing more was done",
		fmt.Errorf("install app: %w", context.Canceled): "install app: cancelled (interrupted)",
		errors.New("plain"):                             "plain",
	} {
		if got := errorText(in); got != want {
			t.Errorf("errorText(%q) = %q, want %q", in, got, want)
		}
	}
}
