package account

import (
	"context"
	"errors"
	"fmt"
	"onramp.dev/onramp/internal/sessiontest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// blockingSecrets is the in-memory keyring with every call waiting on
// block: a keyring stuck on an unlock prompt.
type blockingSecrets struct {
	*memorySecrets
	block chan struct{}
}

func (m *blockingSecrets) Get(s, u string) (string, error) {
	<-m.block
	return m.memorySecrets.Get(s, u)
}
func (m *blockingSecrets) Set(s, u, v string) error { <-m.block; return m.memorySecrets.Set(s, u, v) }
func (m *blockingSecrets) Delete(s, u string) error { <-m.block; return m.memorySecrets.Delete(s, u) }

func TestTokenStoreLogic(t *testing.T) {
	mem := &memorySecrets{items: map[string]string{}}
	s := &TokenStore{secrets: mem, timeout: time.Second}
	ctx := context.Background()
	if err := s.Save(ctx, "https://accounts.example.com:8443/api", "u-123", "tok1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := mem.items[KeyringService+"\x00u-123@accounts.example.com:8443"]; !ok {
		t.Errorf("stored under %v", mem.items)
	}
	if _, err := s.Load(ctx, "https://other.example.com", "u-123"); !errors.Is(err, ErrNoSavedSession) {
		t.Errorf("another server's session: %v", err)
	}
	if err := s.Save(ctx, "https://accounts.example.com:8443", "u-123", strings.Repeat("x", MaxSecretBytes+1)); !errors.Is(err, ErrSecretTooLarge) {
		t.Errorf("too large: %v", err)
	}
	if got, _ := s.Load(ctx, "https://accounts.example.com:8443", "u-123"); got != "tok1" {
		t.Errorf("a refused save changed the stored token to %q", got)
	}
	if err := s.Delete(ctx, "https://accounts.example.com:8443", "u-123"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "https://accounts.example.com:8443", "u-123"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestKeyringThatNeverAnswers(t *testing.T) {
	mem := &blockingSecrets{memorySecrets: &memorySecrets{items: map[string]string{}}, block: make(chan struct{})}
	defer close(mem.block)
	s := &TokenStore{secrets: mem, timeout: 50 * time.Millisecond}
	if _, err := s.Load(context.Background(), "https://a.example.com", "u"); !errors.Is(err, ErrKeyringTimedOut) {
		t.Fatalf("got %v", err)
	}
}

// The real Secret Service: gnome-keyring in the D-Bus session that
// .ci/with-session starts. It is the proof that the refresh token goes to
// the keyring and nowhere else: without a session it skips, except in CI,
// where it fails.
func TestSecretService(t *testing.T) {
	sessiontest.RequireBus(t)
	s := NewTokenStore()
	ctx := context.Background()
	server, user := "https://127.0.0.1:9443", "test-"+strings.ReplaceAll(t.Name(), "/", "-")
	token := "rt_" + strings.Repeat("Z", 40)
	if err := s.Save(ctx, server, user, token); err != nil {
		t.Fatal(err)
	}
	defer s.Delete(ctx, server, user)
	out, err := exec.Command("secret-tool", "lookup", "service", KeyringService, "username", keyringUser(server, user)).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	if strings.TrimSpace(string(out)) != token {
		t.Fatalf("secret-tool found %q", out)
	}
	got, err := s.Load(ctx, server, user)
	if err != nil || got != token {
		t.Fatalf("Load = %q, %v", got, err)
	}
	if err := s.Save(ctx, server, user, strings.Repeat("y", MaxSecretBytes+1)); !errors.Is(err, ErrSecretTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	if err := s.Delete(ctx, server, user); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, server, user); !errors.Is(err, ErrNoSavedSession) {
		t.Fatalf("after delete: %v", err)
	}
}

// No D-Bus session at all: the error names what is missing, and nothing
// falls back to a file. godbus keeps one session connection per process,
// so this runs in a child process of its own.
func TestNoKeyringReachable(t *testing.T) {
	if os.Getenv("ONRAMP_TEST_NO_BUS") == "" {
		home := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoKeyringReachable$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ONRAMP_TEST_NO_BUS=1", "HOME="+home,
			"DBUS_SESSION_BUS_ADDRESS=unix:path="+t.TempDir()+"/no-bus")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		entries, _ := os.ReadDir(home)
		if len(entries) != 0 {
			t.Errorf("something was written to the home folder: %v", entries)
		}
		return
	}
	err := NewTokenStore().Save(context.Background(), "https://127.0.0.1:9443", "u", "secret-token")
	var ke *KeyringError
	if !errors.As(err, &ke) || !errors.Is(err, ErrKeyringMissing) || !strings.Contains(err.Error(), "Secret Service") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Error("the error shows the secret")
	}
}

// With no session bus address at all, godbus would run dbus-launch, which
// starts a dbus-daemon (and, through it, gnome-keyring-daemon) that outlive
// the assistant. The store must say the keyring is missing and start
// nothing. A dbus-launch on PATH that records being run is the tripwire;
// the child process has no session bus of any kind.
func TestNoSessionBusLaunchesNothing(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the Secret Service over D-Bus is the Linux and BSD keyring")
	}
	if os.Getenv("ONRAMP_TEST_UNSET_BUS") == "" {
		for _, bus := range []string{"", "autolaunch:"} {
			t.Run("DBUS_SESSION_BUS_ADDRESS="+bus, func(t *testing.T) {
				bin, marker := t.TempDir(), filepath.Join(t.TempDir(), "launched")
				script := "#!/bin/sh\necho launched >> '" + marker + "'\nexit 1\n"
				if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(os.Args[0], "-test.run=^TestNoSessionBusLaunchesNothing$", "-test.count=1")
				for _, kv := range os.Environ() {
					if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "PATH=") {
						cmd.Env = append(cmd.Env, kv)
					}
				}
				cmd.Env = append(cmd.Env, "ONRAMP_TEST_UNSET_BUS=1", "PATH="+bin, "HOME="+t.TempDir())
				if bus != "" {
					cmd.Env = append(cmd.Env, "DBUS_SESSION_BUS_ADDRESS="+bus)
				}
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Errorf("child: %v\n%s", err, out)
				}
				if _, err := os.Stat(marker); err == nil {
					t.Error("dbus-launch was run: a dbus-daemon would outlive the assistant")
				}
			})
		}
		return
	}
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("this user has a session bus socket: nothing would be launched")
	}
	for name, op := range map[string]func(*TokenStore) error{
		"save": func(s *TokenStore) error {
			return s.Save(context.Background(), "https://127.0.0.1:9443", "u", "secret-token")
		},
		"read": func(s *TokenStore) error {
			_, err := s.Load(context.Background(), "https://127.0.0.1:9443", "u")
			return err
		},
		"probe": func(s *TokenStore) error { return s.Probe(context.Background(), "https://127.0.0.1:9443") },
	} {
		err := op(NewTokenStore())
		var ke *KeyringError
		if !errors.As(err, &ke) || !errors.Is(err, ErrKeyringMissing) {
			t.Errorf("%s: got %v, want a KeyringError for a missing keyring", name, err)
		}
	}
}

// brokenSecrets is a keyring that reads but cannot store: the Secret
// Service answering without a collection to write to.
type brokenSecrets struct{ *memorySecrets }

func (brokenSecrets) Set(service, user, secret string) error {
	return errors.New("org.freedesktop.secrets: no collection to store into")
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name    string
		secrets secretStore
		want    error
	}{
		{"working", &memorySecrets{items: map[string]string{}}, nil},
		{"cannot-store", brokenSecrets{&memorySecrets{items: map[string]string{}}}, ErrKeyringMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &TokenStore{secrets: tc.secrets, timeout: time.Second}
			err := s.Probe(context.Background(), "https://127.0.0.1:9443")
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Probe = %v, want %v", err, tc.want)
			}
			if m, ok := tc.secrets.(*memorySecrets); ok && len(m.items) != 0 {
				t.Errorf("the probe left %v behind", m.items)
			}
		})
	}
}

// A saved session holds the access token beside the refresh token while
// both fit the keyring's limit; a bare secret (saved by an earlier version)
// is a refresh token alone; a damaged one is no session.
func TestStoredSession(t *testing.T) {
	mem := &memorySecrets{items: map[string]string{}}
	s := &TokenStore{secrets: mem, timeout: time.Second}
	ctx, server := context.Background(), "https://accounts.example.com"
	exp := time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
	if err := s.saveSession(ctx, server, "u", storedSession{Refresh: "rt", Access: "at", AccessExpires: exp}); err != nil {
		t.Fatal(err)
	}
	if ss, err := s.loadSession(ctx, server, "u"); err != nil || ss.Refresh != "rt" || ss.Access != "at" || !ss.AccessExpires.Equal(exp) || !ss.usable("") || ss.usable("at") {
		t.Errorf("loadSession = %+v, %v", ss, err)
	}
	if rt, err := s.Load(ctx, server, "u"); rt != "rt" || err != nil {
		t.Errorf("Load = %q, %v", rt, err)
	}
	big := strings.Repeat("r", MaxSecretBytes-10)
	if err := s.saveSession(ctx, server, "u", storedSession{Refresh: big, Access: "at", AccessExpires: exp}); err != nil {
		t.Fatal(err)
	}
	if ss, err := s.loadSession(ctx, server, "u"); err != nil || ss.Refresh != big || ss.Access != "" {
		t.Errorf("a session too large with its access token: kept %d bytes of refresh token, access %q, %v", len(ss.Refresh), ss.Access, err)
	}
	mem.items[KeyringService+"\x00"+keyringUser(server, "u")] = `{"refresh": 3}`
	if _, err := s.loadSession(ctx, server, "u"); !errors.Is(err, ErrNoSavedSession) {
		t.Errorf("a damaged session: %v", err)
	}
}
