package account

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
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
