package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// A first sign-in on a machine whose keyring cannot store anything: the
// password must not change on the service (the temporary one still works),
// and no D-Bus daemon is started to find a keyring.
func TestFirstSignInWithoutKeyringKeepsTemporaryPassword(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the Secret Service over D-Bus is the Linux and BSD keyring")
	}
	if _, err := os.Stat(filepathRunUserBus()); err == nil {
		t.Skip("this user has a session bus socket: the keyring is reachable without the environment")
	}
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 1}}, Plan: portal.PlanStandard}, "test"); err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "ana@acme.example")

	// No session bus, and a dbus-launch that records being run.
	bin, marker := t.TempDir(), filepath.Join(t.TempDir(), "launched")
	os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte("#!/bin/sh\necho launched >> '"+marker+"'\nexit 1\n"), 0o755)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("PATH", bin)

	var out, errb bytes.Buffer
	code := run(ctx, []string{"--config", filepath.Join(t.TempDir(), "config.json"), "signin", "--server", srv.URL, "--user", uid},
		strings.NewReader(temp+"\na new and private passphrase\n"), &out, &errb)
	if code == exitOK {
		t.Fatalf("sign-in without a keyring succeeded: %s", out.String())
	}
	if !strings.Contains(errb.String(), "keyring") {
		t.Errorf("the error does not name the keyring: %s", errb.String())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("dbus-launch was run")
	}
	sess, err := svc.SignIn(ctx, uid, temp, "127.0.0.1")
	if err != nil {
		t.Fatalf("the temporary password no longer works: %v", err)
	}
	if !sess.MustChangePassword {
		t.Error("the password was changed on the service")
	}
	if _, err := svc.SignIn(ctx, uid, "a new and private passphrase", "127.0.0.1"); !errors.Is(err, portal.ErrBadCredentials) {
		t.Errorf("the new password works: %v", err)
	}
}

func filepathRunUserBus() string { return filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus") }
