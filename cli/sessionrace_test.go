package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/internal/testbin"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/portal/web"
)

// lockedBuffer collects a service's log lines from its handlers'
// goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// signedInMachine runs the real service on loopback with its security log
// in a buffer, and signs a user in through the CLI with the real keyring:
// it returns the service, the log and the --config argument.
func signedInMachine(t *testing.T) (*httptest.Server, *lockedBuffer, string) {
	t.Helper()
	sessiontest.RequireBus(t)
	store, err := portal.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	log := &lockedBuffer{}
	srv := httptest.NewUnstartedServer(nil)
	svc := portal.NewService(store, assets.DemoSignedCatalog(), c, "http://"+srv.Listener.Addr().String(), portal.WithLogger(slog.New(slog.NewJSONHandler(log, nil))))
	srv.Config.Handler = web.NewHandler(svc, assets.DemoPackageSource)
	srv.Start()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 10}}, Plan: portal.PlanAdvanced}, "test"); err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "ana@acme.example")
	config := filepath.Join(t.TempDir(), "config", "config.json")
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"--config", config, "signin", "--server", srv.URL, "--user", uid}, strings.NewReader(temp+"\na long and private passphrase\n"), &out, &errb); code != exitOK {
		t.Fatalf("signin: exit %d %s", code, errb.String())
	}
	return srv, log, config
}

// Commands run at the same time by a script share the one session: none
// presents a refresh token another has already rotated, so the service
// sees no reuse and revokes nothing, and every command succeeds. Each
// process is the real command-line program, on the real keyring.
func TestParallelCommandsKeepTheSession(t *testing.T) {
	_, log, config := signedInMachine(t)
	bin := testbin.Once(t, "../cmd/assistant", "-tags", "nogui")
	const n = 6
	for round := range 2 {
		var wg sync.WaitGroup
		codes, outs := make([]int, n), make([]string, n)
		for i := range n {
			wg.Go(func() {
				cmd := exec.Command(bin, "--config", config, "whoami")
				out, err := cmd.CombinedOutput()
				outs[i] = string(out)
				if err != nil {
					codes[i] = cmd.ProcessState.ExitCode()
					if codes[i] == 0 {
						codes[i] = -1
					}
				}
			})
		}
		wg.Wait()
		for i := range n {
			if codes[i] != 0 {
				t.Errorf("round %d, whoami %d: exit %d: %s", round, i, codes[i], outs[i])
			}
		}
		if strings.Contains(log.String(), "token_reuse") {
			t.Fatalf("round %d: the service saw a refresh token reused:\n%s", round, log.String())
		}
		if round == 0 {
			// The next round starts with an access token that expired:
			// every command must refresh, one at a time.
			expireCachedAccess(t, config)
		}
	}
}

// expireCachedAccess makes the access token saved beside the refresh
// token look expired, as it is a quarter of an hour later.
func expireCachedAccess(t *testing.T, config string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(config), "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sf sessionFile
	if err := json.Unmarshal(b, &sf); err != nil {
		t.Fatal(err)
	}
	name := sf.User + "@" + strings.TrimPrefix(sf.Server, "http://")
	secret, err := keyring.Get(account.KeyringService, name)
	if err != nil {
		t.Fatal(err)
	}
	var saved map[string]any
	if err := json.Unmarshal([]byte(secret), &saved); err != nil || saved["access"] == nil {
		t.Fatalf("the keyring holds no access token beside the refresh token (%v)", err)
	}
	saved["access_expires"] = time.Now().Add(-time.Minute)
	b, _ = json.Marshal(saved)
	if err := keyring.Set(account.KeyringService, name, string(b)); err != nil {
		t.Fatal(err)
	}
}

// Signing out with the service out of reach still signs this machine out:
// the keyring forgets the tokens and session.json goes, and the command
// says the service could not be told, with exit 1 (the session stays valid
// on the service until it expires, which a script must be able to see).
// With the service back, signing out ends the session there too, even
// with the saved access token expired.
func TestSignOutWithTheServiceUnreachable(t *testing.T) {
	srv, _, config := signedInMachine(t)
	ctx := context.Background()
	run := func(args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", config}, args...), strings.NewReader(""), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(config), "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sf sessionFile
	json.Unmarshal(b, &sf)
	name := sf.User + "@" + strings.TrimPrefix(sf.Server, "http://")

	srv.Close()
	r := run("signout")
	if r.code != exitFailed || !strings.Contains(r.stderr, "signed out on this machine") || !strings.Contains(r.stderr, "could not be told") {
		t.Errorf("signout with the service unreachable: exit %d, %s", r.code, r.stderr)
	}
	if _, err := keyring.Get(account.KeyringService, name); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the keyring still holds the session: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(config), "session.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("session.json is still there: %v", err)
	}
	if r := run("whoami"); r.code != exitAuth {
		t.Errorf("whoami after signout: exit %d %s", r.code, r.stderr)
	}
	if r := run("signout"); r.code != exitAuth {
		t.Errorf("a second signout: exit %d %s", r.code, r.stderr)
	}
}

// With the service reachable and the saved access token expired, signing
// out buys one with the refresh token and ends the session on the
// service: the refresh token no longer works there.
func TestSignOutEndsTheSessionOnTheService(t *testing.T) {
	srv, _, config := signedInMachine(t)
	ctx := context.Background()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(config), "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sf sessionFile
	json.Unmarshal(b, &sf)
	secret, err := keyring.Get(account.KeyringService, sf.User+"@"+strings.TrimPrefix(sf.Server, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	var saved struct{ Refresh string }
	json.Unmarshal([]byte(secret), &saved)
	expireCachedAccess(t, config)
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"--config", config, "signout"}, strings.NewReader(""), &out, &errb); code != exitOK {
		t.Fatalf("signout: exit %d %s", code, errb.String())
	}
	resp, err := http.Post(srv.URL+"/api/v1/session/refresh", "application/json", strings.NewReader(`{"refresh_token":"`+saved.Refresh+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the refresh token still works on the service after signout: %d", resp.StatusCode)
	}
}

// The refresh lock is named by the server and user, like the keyring entry
// it guards, in the user's own folder: runs with different --config
// folders share it; two users of one service do not.
func TestSessionLockIgnoresConfig(t *testing.T) {
	home := freshHome(t)
	a := &env{configPath: filepath.Join(home, "a", "config.json")}
	b := &env{configPath: filepath.Join(home, "b", "config.json")}
	t.Setenv("ONRAMP_CONFIG", filepath.Join(home, "c", "config.json"))
	c := &env{}
	lock := func(e *env, server, user string) string {
		return account.SessionLockPath(e.sessionLockDir(), server, user)
	}
	const srv = "https://accounts.example.com"
	if pa, pb, pc := lock(a, srv, "U1"), lock(b, srv, "U1"), lock(c, srv+"/", "U1"); pa != pb || pa != pc {
		t.Fatalf("one session, three locks: %s, %s, %s", pa, pb, pc)
	}
	if lock(a, srv, "U1") == lock(a, srv, "U2") || lock(a, srv, "U1") == lock(a, "https://other.example", "U1") {
		t.Fatal("two sessions share a lock")
	}
	if dir := a.sessionLockDir(); strings.HasPrefix(dir, filepath.Join(home, "a")) {
		t.Fatalf("the lock follows --config: %s", dir)
	}
}

// Signing in through the window as another user, or to another service,
// signs the saved session out first: replacing session.json must not leave
// its refresh token alive in the keyring with nothing naming it. Saving
// the same session again keeps it.
func TestWindowSignInForgetsThePreviousSession(t *testing.T) {
	srv, _, config := signedInMachine(t)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(config), "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sf sessionFile
	if err := json.Unmarshal(b, &sf); err != nil {
		t.Fatal(err)
	}
	name := sf.User + "@" + strings.TrimPrefix(sf.Server, "http://")
	w, code, stderr := openedWindow(t, "--config", config)
	if code != exitOK || w == nil {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if err := w.SaveSession(srv.URL+"/", sf.User); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(account.KeyringService, name); err != nil {
		t.Fatalf("saving the same session again forgot it: %v", err)
	}
	if err := w.SaveSession(srv.URL, "another-user"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(account.KeyringService, name); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("the previous session is still in the keyring, named by nothing: %v", err)
	}
	b, _ = os.ReadFile(filepath.Join(filepath.Dir(config), "session.json"))
	if !strings.Contains(string(b), "another-user") {
		t.Fatalf("session.json: %s", b)
	}
}
