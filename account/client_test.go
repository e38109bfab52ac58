package account

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A redirect from the service is never followed: the sign-in body, with
// the password, would go to whatever origin the redirect names.
func TestRedirectsAreRefused(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var reached atomic.Int32
			var body atomic.Value
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached.Add(1)
				b, _ := io.ReadAll(r.Body)
				body.Store(string(b))
				w.WriteHeader(http.StatusOK)
			}))
			defer other.Close()
			service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, status)
			}))
			defer service.Close()
			c, err := NewWithTokens(service.URL, NewMemoryTokenStore())
			if err != nil {
				t.Fatal(err)
			}
			err = c.SignIn(context.Background(), "U23456789", "the user's password")
			var re *RedirectError
			if !errors.As(err, &re) || !errors.Is(err, ErrRedirect) {
				t.Errorf("sign-in answered by a redirect: %v, want a RedirectError", err)
			}
			if _, err := c.SignedCatalog(context.Background()); !errors.Is(err, ErrRedirect) {
				t.Errorf("catalog answered by a redirect: %v", err)
			}
			if _, err := c.ImportUsers(context.Background(), []byte("email\n"), false); !errors.Is(err, ErrRedirect) {
				t.Errorf("import answered by a redirect: %v", err)
			}
			if n := reached.Load(); n != 0 {
				t.Errorf("the other origin received %d request(s), the last with body %q", n, body.Load())
			}
		})
	}
}

// The service's problems become errors callers branch on; a contract that
// ended is also a refusal (ErrForbidden), so callers that only know that
// still say "not entitled".
func TestProblemKinds(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []error
	}{
		{"contract-ended", 403, `{"code":"contract_ended","detail":"x","ends":"2026-01-31T00:00:00Z"}`, []error{ErrContractEnded, ErrForbidden}},
		{"email-taken", 409, `{"code":"email_taken","detail":"x"}`, []error{ErrEmailTaken}},
		{"manager-protected", 403, `{"code":"manager_protected","detail":"x"}`, []error{ErrForbidden}},
		{"weak-password", 422, `{"code":"weak_password"}`, []error{ErrWeakPassword}},
		{"redirect", 307, ``, []error{ErrRedirect}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Location": {"https://elsewhere.example/"}}}
			err := problemFrom(resp, []byte(tc.body))
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("%v is not %v", err, w)
				}
			}
		})
	}
	var pe *ProblemError
	err := problemFrom(&http.Response{StatusCode: 403}, []byte(`{"code":"contract_ended","ends":"2026-01-31T00:00:00Z"}`))
	if !errors.As(err, &pe) || pe.Ends.Format(time.DateOnly) != "2026-01-31" || !strings.Contains(err.Error(), "2026-01-31") {
		t.Errorf("the end date is lost: %v", err)
	}
}

// An address with credentials, a query or a fragment is refused without
// echoing the credentials: they would travel as Basic credentials and be
// shown in every message and file that names the service.
func TestServerAddressWithExtrasIsRefused(t *testing.T) {
	for _, server := range []string{"https://ana:s3cret@accounts.example.com", "https://accounts.example.com/?token=s3cret", "https://accounts.example.com/#s3cret"} {
		_, err := NewWithTokens(server, NewMemoryTokenStore())
		if !errors.Is(err, ErrServerAddressExtras) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v", server, err)
		}
	}
	if _, err := NewWithTokens("https://accounts.example.com/", NewMemoryTokenStore()); err != nil {
		t.Error(err)
	}
}

// failAfterProbe is a keyring that passes the probe, then fails every
// save: the keyring locked between the probe and the session's save.
type failAfterProbe struct{ memorySecrets }

func (s *failAfterProbe) Set(service, user, secret string) error {
	if strings.Contains(user, "onramp-probe") {
		return s.memorySecrets.Set(service, user, secret)
	}
	return errors.New("keyring locked")
}

// A keyring that fails after the password changed on the service says
// so (ErrPasswordChanged): the window then asks for the new password, not
// the temporary one that no longer works.
func TestChangePasswordKeyringFailsAfterChange(t *testing.T) {
	changed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/password":
			changed = true
			w.WriteHeader(http.StatusNoContent)
		case "/api/v1/session":
			io.WriteString(w, `{"user_id":"U1","access_token":"a","refresh_token":"r","access_expires":"2099-01-01T00:00:00Z"}`)
		}
	}))
	defer srv.Close()
	c, err := NewWithTokens(srv.URL, &TokenStore{secrets: &failAfterProbe{memorySecrets{items: map[string]string{}}}, timeout: defaultKeyringLimit})
	if err != nil {
		t.Fatal(err)
	}
	c.access, c.user = "temporary-session", "U1"
	err = c.ChangePassword(context.Background(), "temporary", "a new and long passphrase")
	if !changed || !errors.Is(err, ErrPasswordChanged) || !strings.Contains(err.Error(), "keyring locked") {
		t.Fatalf("changed %v, error %v; want ErrPasswordChanged with the keyring's reason", changed, err)
	}
}
