package setup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
)

// The access token goes with a package request to the account service's
// own origin only: a catalog's package URL on another loopback address (a
// stand-in CDN) or another port gets no Authorization, the downloader
// fetching it for real; the service's own relative URL still gets it.
func TestAccessTokenOnlyToTheService(t *testing.T) {
	s := demoSetup(t)
	content := []byte("a package served by a CDN")
	sum := sha256.Sum256(content)
	var mu sync.Mutex
	var auths []string
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.2: %v (Linux routes all of 127.0.0.0/8 to lo)", err)
	}
	cdn := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write(content)
	}))
	cdn.Listener.Close()
	cdn.Listener = l
	cdn.Start()
	defer cdn.Close()
	otherPort := httptest.NewServer(cdn.Config.Handler)
	defer otherPort.Close()

	ctx := context.Background()
	dl, err := downloader.New(downloader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{cdn.URL + "/atlas.zip", otherPort.URL + "/atlas.zip"} {
		req, err := s.src.request(ctx, catalog.Package{URL: u, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content))}, filepath.Join(t.TempDir(), "atlas.zip"))
		if err != nil {
			t.Fatal(err)
		}
		if req.Header.Get("Authorization") != "" {
			t.Errorf("%s: the request carries the access token", u)
		}
		if _, err := dl.Fetch(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	if len(auths) != 2 || auths[0] != "" || auths[1] != "" {
		t.Errorf("the other origins saw Authorization %q", auths)
	}
	mu.Unlock()

	// The service's own packages, relative to it, still get the token.
	req, err := s.src.request(ctx, catalog.Package{URL: "packages/atlas.zip", SHA256: hex.EncodeToString(sum[:])}, filepath.Join(t.TempDir(), "atlas.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Authorization") == "" {
		t.Error("a package on the service's own origin goes without the access token")
	}
}
