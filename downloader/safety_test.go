package downloader

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Two transfers to one destination at once, from one client or two (as two
// processes would be), never interleave: both end with the verified file,
// it is transferred once, and the cache holds the right bytes. The first
// response is held until the second Fetch either waits for the lock or
// reaches the server, so the two overlap on any machine.
func TestConcurrentFetchSameDest(t *testing.T) {
	content, sum := testContent(size)
	for _, tt := range []struct {
		name       string
		twoClients bool
	}{
		{"one-client", false},
		{"two-clients", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			overlap := make(chan struct{})
			var overlapOnce sync.Once
			release := func() { overlapOnce.Do(func() { close(overlap) }) }
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := requests.Add(1)
				if n > 1 {
					release() // the second transfer reached the server
				}
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Content-Length", fmt.Sprint(len(content)))
				for off := 0; off < len(content); off += 16 << 10 {
					w.Write(content[off:min(off+16<<10, len(content))])
					w.(http.Flusher).Flush()
					if n == 1 && off == 0 {
						<-overlap
					}
				}
			}))
			defer srv.Close()
			cache := t.TempDir()
			dest := filepath.Join(t.TempDir(), "pkg.zip")
			started := make(chan struct{})
			var startOnce sync.Once
			progress := func(p Progress) {
				switch p.Event {
				case EventProgress:
					startOnce.Do(func() { close(started) })
				case EventWait:
					release() // the second transfer waits for the first
				}
			}
			first := newClient(t, Options{CacheDir: cache, Progress: progress})
			second := first
			if tt.twoClients {
				second = newClient(t, Options{CacheDir: cache, Progress: progress})
			}
			req := Request{URL: srv.URL + "/pkg.zip", SHA256: sum, Dest: dest}
			var wg sync.WaitGroup
			var r1, r2 *Result
			var err1, err2 error
			wg.Add(2)
			go func() { defer wg.Done(); r1, err1 = first.Fetch(context.Background(), req) }()
			go func() {
				defer wg.Done()
				defer release() // a second Fetch that fails at once must not hang the first
				<-started
				r2, err2 = second.Fetch(context.Background(), req)
			}()
			wg.Wait()
			if err1 != nil || err2 != nil {
				t.Fatalf("first: %v, second: %v", err1, err2)
			}
			assertOnlyDest(t, dest, content)
			if got := r1.Transferred + r2.Transferred; got != size {
				t.Errorf("transferred %d + %d bytes, want the file once (%d)", r1.Transferred, r2.Transferred, size)
			}
			cached, err := os.ReadFile(filepath.Join(cache, sum[:2], sum))
			if err != nil || sumOf(cached) != sum {
				t.Errorf("the cache holds other bytes under %s (%v)", sum[:8], err)
			}
		})
	}
}

// A lock file left by a process that died (the kernel released its lock)
// does not block the next transfer, and a finished transfer leaves no lock
// file behind.
func TestStaleLockFile(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(dest+".part.lock", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: s.URL + "/p", SHA256: sum, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	assertOnlyDest(t, dest, content)
}

// RemovePartial does not pull the partial file from under a running
// transfer.
func TestRemovePartialWhileRunning(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	s.slow = time.Millisecond
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	var removeErr error
	c := newClient(t, Options{Progress: func(p Progress) {
		if p.Event == EventProgress && p.Done > 0 {
			once.Do(func() { removeErr = RemovePartial(dest) })
		}
	}})
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/p", SHA256: sum, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(removeErr, ErrBusy) {
		t.Errorf("RemovePartial during the transfer: %v, want ErrBusy", removeErr)
	}
	assertOnlyDest(t, dest, content)
}

// tlsServer starts an https server on 127.0.0.1 with cert, counting the
// connections it accepts, and returns a CA bundle that trusts cert.
func tlsServer(t *testing.T, cert *tls.Certificate, h http.Handler) (*httptest.Server, *atomic.Int32, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log0()
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	leaf := srv.Certificate()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, &conns, bundle
}

// certFor makes a self-signed certificate for names only (no IP address).
func certFor(t *testing.T, names ...string) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// fullDisk is what a write to a full volume returns.
type fullDisk struct {
	w    io.Writer
	room int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= d.room {
		d.room -= len(p)
		return d.w.Write(p)
	}
	n, _ := d.w.Write(p[:d.room])
	d.room = 0
	return n, &fs.PathError{Op: "write", Path: "pkg.zip.part", Err: errDiskFull}
}

// Permanent failures end the transfer at the first attempt (the server
// side counts one connection or request), with a typed error that says
// what is wrong.
func TestPermanentFailuresFailAtOnce(t *testing.T) {
	content, sum := testContent(size)
	serve := func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "pkg.zip", time.Time{}, bytes.NewReader(content))
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) (url string, opt Options, count func() int32)
		check func(t *testing.T, err error)
	}{
		{"unknown-ca", func(t *testing.T) (string, Options, func() int32) {
			srv, conns, _ := tlsServer(t, nil, http.HandlerFunc(serve))
			return srv.URL + "/pkg.zip", Options{}, conns.Load
		}, func(t *testing.T, err error) {
			var te *TLSError
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &te) || !errors.As(err, &ua) {
				t.Errorf("err = %v, want a TLSError for an unknown authority", err)
			}
		}},
		{"wrong-host-name", func(t *testing.T) (string, Options, func() int32) {
			srv, conns, bundle := tlsServer(t, certFor(t, "downloads.onramp.invalid"), http.HandlerFunc(serve))
			return srv.URL + "/pkg.zip", Options{CABundle: bundle}, conns.Load
		}, func(t *testing.T, err error) {
			var te *TLSError
			var he x509.HostnameError
			if !errors.As(err, &te) || !errors.As(err, &he) {
				t.Errorf("err = %v, want a TLSError for the host name", err)
			}
		}},
		{"redirect-loop", func(t *testing.T) (string, Options, func() int32) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				http.Redirect(w, r, r.URL.Path, http.StatusFound)
			}))
			t.Cleanup(srv.Close)
			// One chain of redirects is one attempt: up to 11 requests.
			return srv.URL + "/loop", Options{}, func() int32 { return (n.Load() + 10) / 11 }
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrTooManyRedirects) {
				t.Errorf("err = %v, want ErrTooManyRedirects", err)
			}
		}},
		{"https-to-http-redirect", func(t *testing.T) (string, Options, func() int32) {
			var n atomic.Int32 // requests: one connection serves every attempt
			srv, _, bundle := tlsServer(t, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				http.Redirect(w, r, "http://downloads.example.com/pkg.zip", http.StatusFound)
			}))
			return srv.URL + "/pkg.zip", Options{CABundle: bundle}, n.Load
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrInsecure) {
				t.Errorf("err = %v, want ErrInsecure", err)
			}
		}},
		{"proxy-407-connect", func(t *testing.T) (string, Options, func() int32) {
			target, _, bundle := tlsServer(t, nil, http.HandlerFunc(serve))
			proxy, n := proxy407(t)
			pu, _ := url.Parse(proxy.URL)
			pu.User = url.UserPassword("alice", "wrong-secret")
			return target.URL + "/pkg.zip", Options{CABundle: bundle, Proxy: http.ProxyURL(pu)}, n.Load
		}, func(t *testing.T, err error) {
			var pe *ProxyAuthError
			if !errors.As(err, &pe) || strings.Contains(err.Error(), "wrong-secret") {
				t.Errorf("err = %v, want a ProxyAuthError without the password", err)
			}
		}},
		{"proxy-407-plain", func(t *testing.T) (string, Options, func() int32) {
			proxy, n := proxy407(t)
			pu, _ := url.Parse(proxy.URL)
			return "http://127.0.0.1:9/pkg.zip", Options{Proxy: http.ProxyURL(pu)}, n.Load
		}, func(t *testing.T, err error) {
			var pe *ProxyAuthError
			if !errors.As(err, &pe) {
				t.Errorf("err = %v, want a ProxyAuthError", err)
			}
		}},
		{"disk-full", func(t *testing.T) (string, Options, func() int32) {
			s := newTestServer(t, content)
			return s.URL + "/pkg.zip", Options{}, func() int32 { return int32(s.count()) }
		}, func(t *testing.T, err error) {
			var we *WriteError
			if !errors.Is(err, ErrNoSpace) || !errors.As(err, &we) || strings.Contains(err.Error(), "connection lost") {
				t.Errorf("err = %v, want ErrNoSpace from a WriteError, not a lost connection", err)
			}
		}},
		{"gone-410", func(t *testing.T) (string, Options, func() int32) {
			s := newTestServer(t, content)
			s.statuses = []int{410, 410}
			return s.URL + "/pkg.zip", Options{}, func() int32 { return int32(s.count()) }
		}, func(t *testing.T, err error) {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != 410 {
				t.Errorf("err = %v", err)
			}
		}},
		{"gzip-content-encoding", func(t *testing.T) (string, Options, func() int32) {
			var n atomic.Int32
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(content)
			zw.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("ETag", `"v1"`)
				w.Write(gz.Bytes())
			}))
			t.Cleanup(srv.Close)
			return srv.URL + "/pkg.zip", Options{}, n.Load
		}, func(t *testing.T, err error) {
			var ee *EncodingError
			if !errors.As(err, &ee) || ee.Encoding != "gzip" {
				t.Errorf("err = %v, want an EncodingError naming gzip", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, opt, count := tt.setup(t)
			c := newClient(t, opt)
			if tt.name == "disk-full" {
				c.partWriter = func(w io.Writer) io.Writer { return &fullDisk{w: w, room: 100 << 10} }
			}
			dest := filepath.Join(t.TempDir(), "pkg.zip")
			_, err := c.Fetch(context.Background(), Request{URL: u, SHA256: sum, Dest: dest})
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			tt.check(t, err)
			if got := count(); got != 1 {
				t.Errorf("the server saw %d attempts, want 1: a permanent failure was retried", got)
			}
			if _, err := os.Stat(dest); err == nil {
				t.Error("the destination exists after a failure")
			}
		})
	}
}

// proxy407 is a proxy that wants credentials it never accepts.
func proxy407(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A full disk keeps what was written, and the next run resumes from it.
func TestDiskFullKeepsPartForResume(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	req := Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest}
	c := newClient(t, Options{})
	c.partWriter = func(w io.Writer) io.Writer { return &fullDisk{w: w, room: 100 << 10} }
	if _, err := c.Fetch(context.Background(), req); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("err = %v, want ErrNoSpace", err)
	}
	if kept := fileSize(dest + ".part"); kept != 100<<10 {
		t.Fatalf("kept %d bytes, want the %d written", kept, 100<<10)
	}
	r, err := newClient(t, Options{}).Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Resumed || r.Transferred != size-100<<10 {
		t.Errorf("result %+v, want a resume", r)
	}
	assertOnlyDest(t, dest, content)
}

// A destination that is a folder is refused before any request.
func TestDestIsFolder(t *testing.T) {
	content, sum := testContent(size)
	for _, tt := range []struct{ name, dest string }{
		{"existing-folder", t.TempDir()},
		{"trailing-separator", filepath.Join(t.TempDir(), "new") + string(filepath.Separator)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, content)
			_, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: s.URL + "/pkg.zip", SHA256: sum, Dest: tt.dest})
			if !errors.Is(err, ErrDestIsFolder) {
				t.Fatalf("err = %v, want ErrDestIsFolder", err)
			}
			if s.count() != 0 {
				t.Errorf("%d requests made before refusing", s.count())
			}
		})
	}
}

// A cancelled transfer says it was interrupted and how much is kept.
func TestInterruptedError(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	s.slow = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	s.onBytes = func(sent int) {
		if sent >= 64<<10 {
			once.Do(cancel)
		}
	}
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	_, err := newClient(t, Options{}).Fetch(ctx, Request{URL: s.URL + "/pkg.zip", SHA256: sum, Dest: dest})
	var ie *InterruptedError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an InterruptedError wrapping context.Canceled", err)
	}
	if ie.Kept == 0 || ie.Kept != fileSize(dest+".part") {
		t.Errorf("kept %d, the partial file holds %d", ie.Kept, fileSize(dest+".part"))
	}
}

// The meter reports no rate before minRateSpan of transfer, and then at
// most the bytes of its window over the window's span, whatever arrived in
// the first read.
func TestMeterRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name  string
		steps []struct {
			ms    int
			bytes int64
		}
		now  int
		want float64
	}{
		{"first-chunk-at-once", []struct {
			ms    int
			bytes int64
		}{{0, 0}, {1, 256 << 10}}, 2, 0},
		{"before-min-span", []struct {
			ms    int
			bytes int64
		}{{0, 0}, {1, 256 << 10}, {300, 256 << 10}}, 400, 0},
		{"after-min-span", []struct {
			ms    int
			bytes int64
		}{{0, 0}, {1, 256 << 10}, {500, 256 << 10}}, 1000, 512 << 10},
		{"moving-window", []struct {
			ms    int
			bytes int64
		}{{0, 0}, {1, 10 << 20}, {6000, 1 << 20}, {6500, 1 << 20}, {7000, 1 << 20}}, 11000, 2 << 20 / 5.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m meter
			for i, s := range tt.steps {
				if i == 0 {
					m.begin(at(s.ms))
					continue
				}
				m.add(at(s.ms), s.bytes)
			}
			if got := m.rate(at(tt.now)); got != tt.want {
				t.Errorf("rate = %v, want %v", got, tt.want)
			}
		})
	}
}

// Over a real transfer, fresh and resumed, no progress event reports a
// rate before minRateSpan has passed since the Fetch began, and none
// reports more than the bytes of this run over minRateSpan: bytes already
// on disk are not speed.
func TestProgressRateBounded(t *testing.T) {
	content, sum := testContent(size)
	for _, kept := range []int{0, 200 << 10} {
		t.Run(fmt.Sprintf("kept-%d", kept), func(t *testing.T) {
			s := newTestServer(t, content)
			s.slow = time.Millisecond
			dest := filepath.Join(t.TempDir(), "pkg.zip")
			if kept > 0 {
				os.WriteFile(dest+".part", content[:kept], 0o644)
				os.WriteFile(dest+".part.meta", []byte(fmt.Sprintf(`{"url":%q,"sha256":%q,"etag":"\"v1\""}`, s.URL+"/p", sum)), 0o644)
			}
			type seen struct {
				p  Progress
				at time.Time
			}
			var events []seen
			c := newClient(t, Options{Progress: func(p Progress) { events = append(events, seen{p, time.Now()}) }})
			begin := time.Now()
			r, err := c.Fetch(context.Background(), Request{URL: s.URL + "/p", SHA256: sum, Dest: dest})
			if err != nil {
				t.Fatal(err)
			}
			if int(r.Transferred) != size-kept {
				t.Fatalf("transferred %d", r.Transferred)
			}
			for _, e := range events {
				if e.p.Rate == 0 {
					continue
				}
				if e.at.Sub(begin) < minRateSpan {
					t.Errorf("%s event after %v reports %.0f B/s: too early to tell", e.p.Event, e.at.Sub(begin), e.p.Rate)
				}
				if bound := float64(e.p.Done-int64(kept)) / minRateSpan.Seconds(); e.p.Rate > bound {
					t.Errorf("%s event at %d bytes reports %.0f B/s, more than this run's bytes over %v (%.0f)", e.p.Event, e.p.Done, e.p.Rate, minRateSpan, bound)
				}
			}
		})
	}
}

// log0 drops the server's log of refused TLS handshakes.
func log0() *log.Logger { return log.New(io.Discard, "", 0) }

// A server (or a cache in front of it) that ignores If-Range answers a
// resume with 206 and the bytes of a newer file. Its ETag says so: the
// kept bytes are dropped and the change reported, rather than the two
// files spliced and a bare checksum mismatch reported.
func TestResumeIgnoringIfRange(t *testing.T) {
	v1, sum1 := testContent(size)
	v2 := bytes.Clone(v1)
	for i := range v2 {
		v2[i] ^= 0x5a
	}
	var mu sync.Mutex
	var requests []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.Header.Get("Range"))
		n := len(requests)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Length", fmt.Sprint(size))
			w.Write(v1[:100<<10])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		// Re-deployed as v2; Range honoured, If-Range ignored.
		w.Header().Set("ETag", `"v2"`)
		var start int
		if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-", &start); err == nil {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, size-1, size))
			w.Header().Set("Content-Length", fmt.Sprint(size-start))
			w.WriteHeader(http.StatusPartialContent)
			w.Write(v2[start:])
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.Write(v2)
	}))
	srv.Config.ErrorLog = log0()
	defer srv.Close()
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	_, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: srv.URL + "/p", SHA256: sum1, Size: size, Dest: dest})
	var ce *ChecksumError
	if !errors.As(err, &ce) || !ce.Changed {
		t.Fatalf("err = %v, want a checksum error saying the file changed on the server", err)
	}
	assertNothing(t, dest)
}

// Ctrl-C while waiting for another transfer to the same file ends the wait
// as an interruption, with no request made.
func TestInterruptWhileWaiting(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	held, ok, err := tryLockDest(dest)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer held.Release()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newClient(t, Options{Progress: func(p Progress) {
		if p.Event == EventWait {
			cancel()
		}
	}})
	_, err = c.Fetch(ctx, Request{URL: s.URL + "/p", SHA256: sum, Dest: dest})
	var ie *InterruptedError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an InterruptedError", err)
	}
	if s.count() != 0 {
		t.Errorf("%d requests while another transfer held the file", s.count())
	}
}

// A link planted where the partial file goes (a shared download folder) is
// never written through: the file it points to keeps its bytes, with or
// without a description that makes the bytes look resumable.
func TestPlantedLinkAsPart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need a privilege on Windows")
	}
	content, sum := testContent(size)
	for _, withMeta := range []bool{false, true} {
		t.Run(fmt.Sprintf("meta-%v", withMeta), func(t *testing.T) {
			s := newTestServer(t, content)
			victim := filepath.Join(t.TempDir(), "precious.txt")
			precious := []byte("a file of the user's, not a download")
			if err := os.WriteFile(victim, precious, 0o644); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "pkg.zip")
			if err := os.Symlink(victim, dest+".part"); err != nil {
				t.Fatal(err)
			}
			if withMeta {
				meta := fmt.Sprintf(`{"url":%q,"sha256":%q,"etag":"\"v1\""}`, s.URL+"/p", sum)
				if err := os.WriteFile(dest+".part.meta", []byte(meta), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c := newClient(t, Options{MaxAttempts: 2})
			c.Fetch(context.Background(), Request{URL: s.URL + "/p", SHA256: sum, Dest: dest})
			if got, _ := os.ReadFile(victim); !bytes.Equal(got, precious) {
				t.Fatalf("the linked file now holds %d bytes: written through the link", len(got))
			}
		})
	}
}

// A link planted at the lock file's name creates nothing where it points.
func TestPlantedLinkAsLock(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need a privilege on Windows")
	}
	content, sum := testContent(size)
	s := newTestServer(t, content)
	target := filepath.Join(t.TempDir(), "authorized_keys")
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.Symlink(target, dest+".part.lock"); err != nil {
		t.Fatal(err)
	}
	if _, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: s.URL + "/p", SHA256: sum, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(target); err == nil {
		t.Error("the lock created the file its planted link points to")
	}
	assertOnlyDest(t, dest, content)
}
