package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onramp.dev/onramp/internal/pgtest"
	"onramp.dev/onramp/portal"
)

// burst runs send n times at once (every goroutine released together) and
// returns the status codes.
func burst(n int, send func(i int) int) []int {
	start := make(chan struct{})
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = send(i)
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

// onlyRefusals fails the test unless every code is 401 or 429.
func onlyRefusals(t *testing.T, codes []int) {
	t.Helper()
	for i, c := range codes {
		if c != http.StatusUnauthorized && c != http.StatusTooManyRequests {
			t.Fatalf("guess %d: status %d, want 401 or 429", i, c)
		}
	}
}

func signInCode(hc *http.Client, base, login, password string) int {
	return callWith(hc, "POST", base+"/api/v1/session", "", map[string]string{"login": login, "password": password}, nil)
}

// holdsLimit checks what a burst of wrong guesses cost: at most the
// account's limit of argon2id evaluations, and the account locked after,
// so that the right password, sent last, is refused.
// kdfCounter counts the process's argon2id evaluations from one take to
// the next; the tests that use it do not run in parallel with others.
type kdfCounter struct{ last int64 }

func countKDF(t testing.TB) *kdfCounter {
	t.Helper()
	return &kdfCounter{last: portal.KDFEvaluations()}
}

// take is the number of evaluations since the last take.
func (c *kdfCounter) take() int {
	n := portal.KDFEvaluations()
	d := n - c.last
	c.last = n
	return int(d)
}

func holdsLimit(t *testing.T, counter *kdfCounter, codes []int, last int) {
	t.Helper()
	onlyRefusals(t, codes)
	if n := counter.take(); n > accountFailures {
		t.Errorf("%d wrong passwords evaluated at once, want at most %d", n, accountFailures)
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("the right password after the burst: status %d, want 429", last)
	}
}

// Guesses sent at the same moment get no more password checks than
// guesses sent one after the other: every connection its own (HTTP/1.1).
func TestConcurrentSignInsHoldTheLimitHTTP1(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "race1@example.com", "atlas")
	p.activate(t, uid, temp)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 60}}
	defer hc.CloseIdleConnections()
	counter := countKDF(t)
	codes := burst(60, func(i int) int { return signInCode(hc, p.URL, uid, fmt.Sprint("wrong guess ", i)) })
	holdsLimit(t, counter, codes, signInCode(hc, p.URL, uid, "a long enough passphrase"))
}

// The same over one HTTP/2 connection to the service's own TLS server,
// with its real stream limit: 250 guesses at once.
func TestConcurrentSignInsHoldTheLimitHTTP2(t *testing.T) {
	p, counted, pool, peak := serveSignInsTLS(t)
	// Strict: over the server's stream limit, streams wait on the one
	// connection instead of opening another.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true,
		HTTP2: &http.HTTP2Config{StrictMaxConcurrentRequests: true}}}
	defer hc.CloseIdleConnections()
	uid := p.h2Account(t, hc, "race2@example.com")

	// The guesses are handed to the transport no more than the stream
	// limit at once: a strict transport counts every request waiting for a
	// stream as a stream open, so with more waiting than the server's
	// limit, the one ahead of them waits for a slot that never frees and
	// the connection stalls with the server idle. The service still gets
	// as many at once as the limit lets one connection carry.
	slots := make(chan struct{}, maxStreamsPerConn)
	peak.reset()
	counter := countKDF(t)
	codes := burst(250, func(i int) int {
		slots <- struct{}{}
		defer func() { <-slots }()
		return signInCode(hc, p.URL, uid, fmt.Sprint("wrong guess ", i))
	})
	holdsLimit(t, counter, codes, signInCode(hc, p.URL, uid, "a long enough passphrase"))
	if n := counted.accepted.Load(); n != 1 {
		t.Errorf("%d connections, want the burst on one", n)
	}
	if n := peak.highest(); n <= accountFailures || n > maxStreamsPerConn {
		t.Errorf("%d sign-ins in the service at once, want more than the limit of %d and at most the stream limit of %d",
			n, accountFailures, maxStreamsPerConn)
	}
}

// serveSignInsTLS runs the service over TLS with NewServer's defaults;
// counted counts the connections accepted, peak the requests in the
// service at once.
func serveSignInsTLS(t *testing.T) (p *testPortal, counted *countingListener, pool *x509.CertPool, peak *peakHandler) {
	t.Helper()
	store, db := openTestStore(t)
	signed, c := testCatalog(t)
	svc := portal.NewService(store, signed, c, "https://127.0.0.1/signin")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted = &countingListener{Listener: ln}
	certFile, keyFile, pool := testCert(t)
	peak = &peakHandler{h: NewHandler(svc, nil)}
	srv := NewServer(peak, ServerOptions{})
	go srv.ServeTLS(counted, certFile, keyFile)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	p = &testPortal{Server: &httptest.Server{URL: "https://" + ln.Addr().String()}, svc: svc, store: store, db: db}
	return p, counted, pool, peak
}

// h2Account orders a contract for email and sets its manager's password
// over hc to the one the tests send last; it checks that the service
// answers over HTTP/2.
func (p *testPortal) h2Account(t *testing.T, hc *http.Client, email string) string {
	t.Helper()
	uid, temp := p.newContract(t, email, "atlas")
	var s portal.Session
	callWith(hc, "POST", p.URL+"/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &s)
	if code := callWith(hc, "POST", p.URL+"/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": "a long enough passphrase"}, nil); code != 204 {
		t.Fatalf("password change: %d", code)
	}
	resp, err := hc.Get(p.URL + "/api/v1/catalog")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("the service answered over %s, want HTTP/2", resp.Proto)
	}
	return uid
}

// peakHandler records the most requests in h at once since reset.
type peakHandler struct {
	h         http.Handler
	mu        sync.Mutex
	now, most int
}

func (ph *peakHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ph.mu.Lock()
	ph.now++
	ph.most = max(ph.most, ph.now)
	ph.mu.Unlock()
	defer func() {
		ph.mu.Lock()
		ph.now--
		ph.mu.Unlock()
	}()
	ph.h.ServeHTTP(w, r)
}

func (ph *peakHandler) reset() {
	ph.mu.Lock()
	ph.most = ph.now
	ph.mu.Unlock()
}

func (ph *peakHandler) highest() int {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	return ph.most
}

// Two replicas of the service on one PostgreSQL database share one limit:
// guesses spread over both get no more checks than on one.
func TestConcurrentSignInsHoldTheLimitTwoReplicas(t *testing.T) {
	dsn := pgtest.Database(t)
	signed, c := testCatalog(t)
	var replicas []*testPortal
	for range 2 {
		store, err := portal.OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		svc := portal.NewService(store, signed, c, "https://127.0.0.1/signin")
		srv := httptest.NewServer(NewHandler(svc, nil))
		t.Cleanup(srv.Close)
		replicas = append(replicas, &testPortal{Server: srv, svc: svc, store: store})
	}
	uid, temp := replicas[0].newContract(t, "race3@example.com", "atlas")
	replicas[1].activate(t, uid, temp)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 60}}
	defer hc.CloseIdleConnections()
	counter := countKDF(t)
	codes := burst(60, func(i int) int { return signInCode(hc, replicas[i%2].URL, uid, fmt.Sprint("wrong guess ", i)) })
	holdsLimit(t, counter, codes, signInCode(hc, replicas[0].URL, uid, "a long enough passphrase"))
}

// Wrong current passwords sent at once to the password change get no more
// checks than the limit, and lock the account for sign-ins too.
func TestConcurrentPasswordChangesHoldTheLimit(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "race4@example.com", "atlas")
	token := p.activate(t, uid, temp)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 30}}
	defer hc.CloseIdleConnections()
	counter := countKDF(t)
	codes := burst(30, func(i int) int {
		return callWith(hc, "POST", p.URL+"/api/v1/password", token, map[string]string{"current_password": fmt.Sprint("wrong guess ", i), "new_password": "another long passphrase"}, nil)
	})
	last := callWith(hc, "POST", p.URL+"/api/v1/password", token, map[string]string{"current_password": "a long enough passphrase", "new_password": "another long passphrase"}, nil)
	holdsLimit(t, counter, codes, last)
}

// A right password frees the try it took: an address's count is not
// spent by people who sign in, and a failure-free account stays open.
func TestRightPasswordsUseNoTries(t *testing.T) {
	p := newTestPortal(t)
	portal.WithSignInLimits(portal.SignInLimit{}, portal.SignInLimit{Failures: 3, Window: time.Minute})(p.svc)
	uid, temp := p.newContract(t, "free@example.com", "atlas")
	p.activate(t, uid, temp)
	for i := range 10 {
		if code := signInCode(http.DefaultClient, p.URL, uid, "a long enough passphrase"); code != 200 {
			t.Fatalf("sign-in %d with the right password: %d", i, code)
		}
	}
}

type countingListener struct {
	net.Listener
	accepted atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// testCert writes a self-signed certificate for 127.0.0.1 and its key, and
// returns their files and a pool that trusts it.
func testCert(t testing.TB) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
