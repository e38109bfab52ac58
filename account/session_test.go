package account

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal/web"
)

// startService runs the real account service on loopback (the demo's
// seeding: one contract, its manager) and signs a client in.
func startService(t *testing.T) (*web.Demo, *Client) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "catalog", "testdata", "minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	d, err := web.StartDemo(context.Background(), web.DemoOptions{Dir: t.TempDir(), Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c, err := NewWithTokens(d.URL, NewMemoryTokenStore())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.SignIn(ctx, d.ManagerID, d.TempPassword); !errors.Is(err, ErrPasswordChangeRequired) {
		t.Fatalf("first sign-in: %v", err)
	}
	if err := c.ChangePassword(ctx, d.TempPassword, "a long and private passphrase"); err != nil {
		t.Fatal(err)
	}
	return d, c
}

// One client shared by goroutines (a batch of downloads, the window)
// renews an access token about to expire once: the others wait and use the
// new one instead of presenting the same refresh token again, which would
// make the service end the sign-in.
func TestConcurrentRenewalsInOneProcess(t *testing.T) {
	_, c := startService(t)
	ctx := context.Background()
	c.mu.Lock()
	c.expires = time.Now() // about to expire: every caller wants a new one
	c.mu.Unlock()
	const n = 8
	headers, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			h, err := c.DownloadHeader(ctx, c.PackageBase()+"packages/atlas.msi")
			headers[i], errs[i] = h.Get("Authorization"), err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if headers[i] != headers[0] {
			t.Errorf("caller %d got another access token: the session was refreshed more than once", i)
		}
	}
	if _, err := c.WhoAmI(ctx); err != nil {
		t.Fatalf("the session did not survive: %v", err)
	}
}

// Two clients sharing one saved session (two processes of one user) with
// its access token expired: each refresh waits for the one before and
// reads the session again, so the service sees each refresh token once
// and both go on.
func TestSharedSessionRefreshesOneAtATime(t *testing.T) {
	d, c := startService(t)
	ctx := context.Background()
	lock := filepath.Join(t.TempDir(), "locks")
	var clients []*Client
	for range 2 {
		cc, err := NewWithTokens(d.URL, c.tokens)
		if err != nil {
			t.Fatal(err)
		}
		cc.lockDir = lock
		clients = append(clients, cc)
	}
	user := c.User()
	const n = 4
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range 2 * n {
		wg.Go(func() {
			cc := clients[i%2]
			// The saved session starts with no access token beside the
			// refresh token (as a session saved by an earlier version).
			if err := cc.renew(ctx, user, ""); err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = cc.WhoAmI(ctx)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	for i, cc := range clients {
		if _, err := cc.WhoAmI(ctx); err != nil {
			t.Errorf("client %d: the session did not survive: %v", i, err)
		}
	}
}

// Signing out forgets the session here whatever the service does: with the
// service gone, the tokens are gone from the store and the error says the
// service was not told; with a keyring that cannot delete, the error says
// the session is still here.
func TestSignOutForgetsFirst(t *testing.T) {
	d, c := startService(t)
	ctx := context.Background()
	user := c.User()
	d.Close()
	err := c.SignOut(ctx)
	var nt *ServiceNotToldError
	if !errors.As(err, &nt) || !errors.Is(err, ErrServiceNotTold) || errors.Is(err, ErrNotForgotten) {
		t.Fatalf("sign-out with the service gone: %v, want a ServiceNotToldError", err)
	}
	if _, err := c.tokens.Load(ctx, c.server, user); !errors.Is(err, ErrNoSavedSession) {
		t.Errorf("the store still holds the session: %v", err)
	}
	if c.User() != "" {
		t.Error("the client still holds the user")
	}

	broken := &TokenStore{secrets: undeletableSecrets{&memorySecrets{items: map[string]string{}}}, timeout: time.Second}
	if err := broken.Save(ctx, c.server, user, "rt_"+user); err != nil {
		t.Fatal(err)
	}
	c2, err := NewWithTokens(c.server, broken)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.SignOutSaved(ctx, user); !errors.Is(err, ErrNotForgotten) {
		t.Errorf("a keyring that cannot delete: %v, want ErrNotForgotten", err)
	}
}

// undeletableSecrets is a keyring that refuses to delete (locked).
type undeletableSecrets struct{ *memorySecrets }

func (undeletableSecrets) Delete(string, string) error {
	return errors.New("the collection is locked")
}
