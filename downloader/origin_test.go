package downloader

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recordingServer serves content at /file, redirects /to?u=URL to URL,
// and records the credentials each request carried.
type recordingServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

func startRecording(t *testing.T, addr string, content []byte) *recordingServer {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v (Linux routes all of 127.0.0.0/8 to lo)", addr, err)
	}
	s := &recordingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.Header.Clone())
		s.mu.Unlock()
		if to := r.URL.Query().Get("u"); r.URL.Path == "/to" && to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		w.Write(content)
	}))
	s.Listener.Close()
	s.Listener = l
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *recordingServer) headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.seen...)
}

// A request's header (its credentials) goes to the origin the request
// names and nowhere else: not to another port of the same host, not to
// another host, not back to the origin once the chain has left it. The
// net/http client alone keeps Authorization across ports and schemes of
// one host name, and to its subdomains.
func TestHeaderStaysWithItsOrigin(t *testing.T) {
	content, sum := testContent(1 << 10)
	a := startRecording(t, "127.0.0.1:0", content)
	b := startRecording(t, "127.0.0.1:0", content)
	cdn := startRecording(t, "127.0.0.2:0", content)
	to := func(s *recordingServer, next string) string { return s.URL + "/to?u=" + url.QueryEscape(next) }
	const secret = "Bearer s3cret-token"
	for _, c := range []struct {
		name string
		url  string
		last *recordingServer // the server that serves the file
		keep bool             // whether it may see the credentials
	}{
		{"same-origin", to(a, a.URL+"/file"), a, true},
		{"other-port", to(a, b.URL+"/file"), b, false},
		{"other-host", to(a, cdn.URL+"/file"), cdn, false},
		{"leave-and-return", to(a, to(cdn, a.URL+"/file")), a, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(c.last.headers())
			c0 := newClient(t, Options{})
			h := http.Header{"Authorization": {secret}, "Cookie": {"session=s3cret"}}
			if _, err := c0.Fetch(context.Background(), Request{URL: c.url, SHA256: sum, Dest: filepath.Join(t.TempDir(), "f"), Header: h}); err != nil {
				t.Fatal(err)
			}
			seen := c.last.headers()[before:]
			got := seen[len(seen)-1]
			if c.keep && got.Get("Authorization") != secret {
				t.Errorf("the origin itself did not get the credentials: %q", got.Get("Authorization"))
			}
			if !c.keep {
				for _, k := range []string{"Authorization", "Cookie", "Referer"} {
					if v := got.Get(k); v != "" {
						t.Errorf("another origin got %s: %q", k, v)
					}
				}
			}
		})
	}
	for _, h := range cdn.headers() {
		if h.Get("Authorization") != "" {
			t.Errorf("the stand-in CDN on 127.0.0.2 got Authorization")
		}
	}
}

// Link-local (cloud metadata services answer on 169.254.169.254 and
// fd00:ec2::254), unspecified, multicast and broadcast addresses are
// never dialled: named in the URL, reached by a redirect, or resolved
// from a name (checked as the connection is made, so a name that changes
// its address between two lookups cannot get around it). Loopback and
// private addresses stay allowed.
func TestBlockedAddresses(t *testing.T) {
	content, sum := testContent(1 << 10)
	srv := startRecording(t, "127.0.0.1:0", content)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := newClient(t, Options{})
	for _, raw := range []string{
		"http://169.254.169.254/latest/meta-data/iam",
		"https://169.254.169.254/x",
		"https://[fe80::1]/x",
		"https://[fd00:ec2::254]/x",
		"https://[::ffff:169.254.169.254]/x",
		"http://0.0.0.0:" + port + "/file",
		"http://[::]:" + port + "/file",
		"https://224.0.0.1/x",
		"https://255.255.255.255/x",
		srv.URL + "/to?u=" + url.QueryEscape("http://169.254.169.254/latest/meta-data"),
	} {
		t.Run(raw, func(t *testing.T) {
			before := len(srv.headers())
			res, err := c.Fetch(context.Background(), Request{URL: raw, SHA256: sum, Dest: filepath.Join(t.TempDir(), "f")})
			var be *BlockedAddressError
			if !errors.Is(err, ErrBlockedAddress) || !errors.As(err, &be) {
				t.Fatalf("err = %v, want a BlockedAddressError", err)
			}
			if res != nil {
				t.Errorf("result %+v", res)
			}
			if strings.Contains(raw, "/to?") {
				if n := len(srv.headers()) - before; n != 1 {
					t.Errorf("the redirecting server was asked %d times, want 1 (a refused address is not retried)", n)
				}
			} else if n := len(srv.headers()) - before; n != 0 {
				t.Errorf("the request reached the loopback server %d times", n)
			}
		})
	}
	// What a name resolves to is checked at the dial: the dialer itself
	// refuses these addresses.
	d := dialer()
	for _, addr := range []string{"169.254.169.254:80", "[fe80::1%lo]:80", "0.0.0.0:" + port, "[::]:" + port, "[::ffff:169.254.169.254]:80"} {
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			conn.Close()
		}
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("dial %s: %v, want ErrBlockedAddress", addr, err)
		}
	}
	for _, addr := range []string{srv.Listener.Addr().String()} {
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		if err != nil {
			t.Errorf("dial %s: %v", addr, err)
		} else {
			conn.Close()
		}
	}
	cdn := startRecording(t, "127.0.0.2:0", content)
	if _, err := c.Fetch(context.Background(), Request{URL: cdn.URL + "/file", SHA256: sum, Dest: filepath.Join(t.TempDir(), "f")}); err != nil {
		t.Errorf("loopback 127.0.0.2: %v", err)
	}
}
