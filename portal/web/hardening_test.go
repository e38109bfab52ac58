package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// serveTLS runs h behind NewServer over TLS on a loopback port, with a
// certificate made for 127.0.0.1; it returns the address and a pool that
// trusts the certificate.
func serveTLS(t *testing.T, h http.Handler, o ServerOptions) (string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(h, o)
	go srv.ServeTLS(ln, certFile, keyFile)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return ln.Addr().String(), pool
}

// Slow uploads on one HTTP/2 connection are bounded like connections
// over HTTP/1.1: at most the per-address bound are served at once, the
// others refused at once with 429.
func TestHTTP2RequestsBoundedPerAddress(t *testing.T) {
	const bound, sent = 4, 12
	var served atomic.Int32
	entered := make(chan struct{}, sent)
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" {
			return
		}
		served.Add(1)
		entered <- struct{}{}
		<-release
		io.Copy(io.Discard, r.Body)
	})
	addr, pool := serveTLS(t, h, ServerOptions{MaxConnsPerAddress: bound})
	var conns atomic.Int32
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true, MaxConnsPerHost: 1,
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			conns.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, a)
		}}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	// The one connection, open before the uploads start.
	if resp, err := hc.Get("https://" + addr + "/"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	type result struct {
		status int
		proto  string
	}
	results := make(chan result, sent)
	for range sent {
		go func() {
			req, _ := http.NewRequest("POST", "https://"+addr+"/upload", &stalledBody{release: release, closed: make(chan struct{})})
			resp, err := hc.Do(req)
			if err != nil {
				t.Log(err)
				results <- result{status: -1}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results <- result{resp.StatusCode, resp.Proto}
		}()
	}
	// Every request is either in the handler or answered; then the served
	// ones may finish.
	refused := 0
	deadline := time.After(20 * time.Second)
	var done []result
	for inHandler := 0; inHandler+refused < sent; {
		select {
		case <-entered:
			inHandler++
		case r := <-results:
			done = append(done, r)
			if r.status == http.StatusTooManyRequests {
				refused++
			} else {
				t.Errorf("a request answered %d before any was released", r.status)
				refused++
			}
		case <-deadline:
			t.Fatalf("in the handler or answered: %d of %d", inHandler+refused, sent)
		}
	}
	close(release)
	for len(done) < sent {
		select {
		case r := <-results:
			done = append(done, r)
		case <-deadline:
			t.Fatalf("%d of %d answered", len(done), sent)
		}
	}
	for _, r := range done {
		if r.proto != "HTTP/2.0" {
			t.Fatalf("answered over %q, want HTTP/2.0", r.proto)
		}
	}
	if conns.Load() != 1 {
		t.Fatalf("%d connections, want one", conns.Load())
	}
	if n := served.Load(); n > bound || refused != sent-int(n) {
		t.Fatalf("%d uploads served at once on one connection, %d refused; want at most %d served", n, refused, bound)
	}
}

// stalledBody is an upload that sends 1 KiB, then nothing until release
// (or until the client gives up on it), then ends.
type stalledBody struct {
	sent      bool
	release   chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

func (b *stalledBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, make([]byte, min(len(p), 1024))), nil
	}
	select {
	case <-b.release:
	case <-b.closed:
	}
	return 0, io.EOF
}

func (b *stalledBody) Close() error {
	b.closeOnce.Do(func() { close(b.closed) })
	return nil
}

// TLS 1.2 offers forward-secret AEAD suites only: a client that knows
// only CBC suites finds none in common.
func TestTLSOffersOnlyAEADSuites(t *testing.T) {
	addr, pool := serveTLS(t, http.NotFoundHandler(), ServerOptions{})
	cbc := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}
	for _, suite := range cbc {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
		if err == nil {
			conn.Close()
			t.Errorf("the server agreed to %s", tls.CipherSuiteName(suite))
		}
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st := conn.ConnectionState()
	if name := tls.CipherSuiteName(st.CipherSuite); !strings.Contains(name, "ECDHE") || !(strings.Contains(name, "GCM") || strings.Contains(name, "CHACHA20")) {
		t.Fatalf("TLS 1.2 negotiated %s", name)
	}
}

// Answers over TLS carry HSTS; every answer carries nosniff, and those
// that may hold a token or people's data Cache-Control: no-store.
func TestSecurityHeaders(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	addr, pool := serveTLS(t, NewHandler(p.svc, nil), ServerOptions{})
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	body, _ := json.Marshal(map[string]string{"login": uid, "password": temp})
	for _, tc := range []struct {
		name, method, path, body, store string
		status                          int
	}{
		{"sign-in (tokens)", "POST", "/api/v1/session", string(body), "no-store", 200},
		{"a problem", "GET", "/api/v1/me", "", "no-store", 401},
		{"no route", "GET", "/api/v1/nothing", "", "no-store", 404},
		{"the public catalog", "GET", "/api/v1/catalog", "", "no-cache", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, "https://"+addr+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
				t.Errorf("Strict-Transport-Security %q", got)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := resp.Header.Get("Cache-Control"); got != tc.store {
				t.Errorf("Cache-Control %q, want %q", got, tc.store)
			}
		})
	}
	// Without TLS there is no HSTS to send (a proxy in front adds its own).
	resp, err := http.Get(p.URL + "/api/v1/catalog")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over plain HTTP: %q", got)
	}
}

// A JSON route refuses a body not declared as JSON with 415, before it
// reads it: a form a web page posts cannot spend a sign-in's attempts.
func TestJSONRoutesRequireJSON(t *testing.T) {
	p := newTestPortal(t)
	token, admin := p.admin(t, "boss@example.com", "atlas")
	signIn := `{"login":"` + admin.ID + `","password":"wrong password here"}`
	for _, tc := range []struct{ path, token, ctype, body string }{
		{"/api/v1/session", "", "text/plain", signIn},
		{"/api/v1/session", "", "", signIn},
		{"/api/v1/session", "", "application/x-www-form-urlencoded", signIn},
		{"/api/v1/session", "", "multipart/form-data; boundary=x", signIn},
		{"/api/v1/session/refresh", "", "text/plain", `{"refresh_token":"x"}`},
		{"/api/v1/users/assign", token, "text/plain", `{"users":["` + admin.ID + `"]}`},
		{"/api/v1/seat-keys", token, "text/plain", `{"products":["atlas"]}`},
	} {
		req, _ := http.NewRequest("POST", p.URL+tc.path, strings.NewReader(tc.body))
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var pr Problem
		json.NewDecoder(resp.Body).Decode(&pr)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType || pr.Code != "unsupported_media_type" {
			t.Errorf("POST %s as %q: %d %q, want 415", tc.path, tc.ctype, resp.StatusCode, pr.Code)
		}
	}
	// Twenty such posts spent nothing: the password still signs in.
	for range 20 {
		req, _ := http.NewRequest("POST", p.URL+"/api/v1/session", strings.NewReader(signIn))
		req.Header.Set("Content-Type", "text/plain")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	var s portal.Session
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": admin.ID, "password": "a long enough passphrase"}, &s); code != 200 {
		t.Fatalf("sign-in after text/plain posts: %d", code)
	}
	// JSON with a charset is JSON.
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/session", strings.NewReader(signIn))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("JSON with a charset: %d, want 401", resp.StatusCode)
	}
}

// A known path asked with a method it does not take answers 405 with the
// methods it takes; an unknown path 404.
func TestWrongMethodIs405(t *testing.T) {
	p := newTestPortal(t)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        []string
	}{
		{"PUT", "/api/v1/me", 405, []string{"GET", "HEAD", "PATCH"}},
		{"GET", "/api/v1/session", 405, []string{"POST", "DELETE"}},
		{"DELETE", "/api/v1/catalog", 405, []string{"GET", "HEAD"}},
		{"GET", "/api/v1/users/U12345678", 405, []string{"DELETE"}},
		{"POST", "/api/v1/nothing", 404, nil},
	} {
		req, _ := http.NewRequest(tc.method, p.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
			continue
		}
		allow := resp.Header.Get("Allow")
		for _, m := range tc.allow {
			if !strings.Contains(allow, m) {
				t.Errorf("%s %s: Allow %q lacks %s", tc.method, tc.path, allow, m)
			}
		}
		if strings.Contains(allow, tc.method) {
			t.Errorf("%s %s: Allow %q names the method refused", tc.method, tc.path, allow)
		}
	}
}
