package downloader

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const size = 300 << 10

func newClient(t *testing.T, opt Options) *Client {
	t.Helper()
	opt.Backoff, opt.MaxBackoff = time.Millisecond, 5*time.Millisecond
	c, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertOnlyDest checks the destination holds exactly want and nothing
// else is left beside it.
func assertOnlyDest(t *testing.T, dest string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if sumOf(got) != sumOf(want) {
		t.Fatalf("%s has the wrong bytes", dest)
	}
	entries, _ := os.ReadDir(filepath.Dir(dest))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("want only %s in its folder, found %v", filepath.Base(dest), names)
	}
}

func assertNothing(t *testing.T, dest string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(dest))
	if len(entries) != 0 {
		t.Fatalf("want nothing left, found %v", entries)
	}
}

func TestFetchServers(t *testing.T) {
	content, sum := testContent(size)
	tests := []struct {
		name  string
		setup func(s *testServer)
		check func(t *testing.T, s *testServer, r *Result)
	}{
		{"honours-range", nil, func(t *testing.T, s *testServer, r *Result) {
			if r.Attempts != 1 || r.Resumed || r.Transferred != size {
				t.Errorf("result %+v", r)
			}
		}},
		{"cut-then-resume", func(s *testServer) { s.cutAfter, s.cuts = 100<<10, 1 }, func(t *testing.T, s *testServer, r *Result) {
			h := s.rangeHeaders()
			if !r.Resumed || len(h) != 2 || !strings.HasPrefix(h[1], "GET bytes=") || !strings.HasSuffix(h[1], `"v1"`) {
				t.Errorf("result %+v, requests %q", r, h)
			}
			if r.Transferred != size {
				t.Errorf("transferred %d, want %d: the resume re-sent bytes", r.Transferred, size)
			}
		}},
		{"cut-every-time", func(s *testServer) { s.cutAfter = 64 << 10 }, func(t *testing.T, s *testServer, r *Result) {
			if r.Attempts < 5 || r.Transferred != size {
				t.Errorf("result %+v", r)
			}
		}},
		{"ignores-range", func(s *testServer) { s.ignoreRange, s.cutAfter, s.cuts = true, 100<<10, 1 }, func(t *testing.T, s *testServer, r *Result) {
			if r.Restarts != 1 || r.ChangedOnServer {
				t.Errorf("result %+v: a 200 after a range request must truncate and start over", r)
			}
		}},
		{"truncated-body", func(s *testServer) { s.truncate = 1000 }, func(t *testing.T, s *testServer, r *Result) {
			if r.Attempts != 2 || !r.Resumed {
				t.Errorf("result %+v", r)
			}
		}},
		{"no-head", func(s *testServer) { s.noHead = true }, func(t *testing.T, s *testServer, r *Result) {
			for _, h := range s.rangeHeaders() {
				if strings.HasPrefix(h, "HEAD") {
					t.Errorf("made a HEAD request: %q", h)
				}
			}
		}},
		{"server-errors-retried", func(s *testServer) { s.statuses = []int{500, 503, 429, 408} }, func(t *testing.T, s *testServer, r *Result) {
			if r.Attempts != 5 {
				t.Errorf("attempts %d, want 5", r.Attempts)
			}
		}},
		{"retry-after", func(s *testServer) { s.statuses, s.retryAfter = []int{503}, "1" }, func(t *testing.T, s *testServer, r *Result) {
			if r.Attempts != 2 {
				t.Errorf("attempts %d", r.Attempts)
			}
		}},
		{"same-file-new-etag", func(s *testServer) {
			s.cutAfter, s.cuts = 100<<10, 1
			s.onBytes = func(sent int) {
				if sent >= 99<<10 {
					s.onBytes = nil
					go s.replace(content, `"v2"`) // re-deployed, same bytes
				}
			}
		}, func(t *testing.T, s *testServer, r *Result) {
			if !r.ChangedOnServer || r.Restarts != 1 {
				t.Errorf("result %+v", r)
			}
		}},
	}
	// Durable: the same, with the file put on disk before its rename
	// (fsync, and writeback as it comes).
	for _, durable := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/durable=%v", tt.name, durable), func(t *testing.T) {
				s := newTestServer(t, content)
				if tt.setup != nil {
					tt.setup(s)
				}
				dest := filepath.Join(t.TempDir(), "pkg.zip")
				r, err := newClient(t, Options{Durable: durable}).Fetch(context.Background(), Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest})
				if err != nil {
					t.Fatal(err)
				}
				assertOnlyDest(t, dest, content)
				tt.check(t, s, r)
			})
		}
	}
}

func TestFetchFailures(t *testing.T) {
	content, sum := testContent(size)
	tests := []struct {
		name     string
		setup    func(s *testServer)
		req      func(r *Request)
		check    func(t *testing.T, err error)
		keepPart bool
	}{
		{"altered-bytes", func(s *testServer) { s.alter = true }, nil, func(t *testing.T, err error) {
			var ce *ChecksumError
			if !errors.As(err, &ce) || ce.Changed || ce.Actual == sum {
				t.Errorf("err = %v", err)
			}
		}, false},
		{"file-changed-on-server", func(s *testServer) {
			s.cutAfter, s.cuts = 100<<10, 1
			s.onBytes = func(sent int) {
				if sent >= 99<<10 {
					s.onBytes = nil
					other, _ := testContent(size + 10)
					go s.replace(other, `"v2"`)
				}
			}
		}, func(r *Request) { r.Size = 0 }, func(t *testing.T, err error) {
			var ce *ChecksumError
			if !errors.As(err, &ce) || !ce.Changed || !strings.Contains(err.Error(), "changed on the server") {
				t.Errorf("err = %v, want a checksum error saying the file changed", err)
			}
		}, false},
		{"not-found", func(s *testServer) { s.statuses = []int{404} }, nil, func(t *testing.T, err error) {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != 404 || !strings.Contains(err.Error(), "404") {
				t.Errorf("err = %v", err)
			}
		}, false},
		{"bad-request-not-retried", func(s *testServer) { s.statuses = []int{400, 400} }, nil, func(t *testing.T, err error) {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != 400 {
				t.Errorf("err = %v", err)
			}
		}, false},
		{"unauthorized", func(s *testServer) { s.statuses = []int{401} }, nil, func(t *testing.T, err error) {
			if !errors.Is(err, ErrAuth) {
				t.Errorf("err = %v, want ErrAuth", err)
			}
		}, false},
		{"forbidden", func(s *testServer) { s.statuses = []int{403} }, nil, func(t *testing.T, err error) {
			if !errors.Is(err, ErrForbidden) {
				t.Errorf("err = %v, want ErrForbidden", err)
			}
		}, false},
		{"server-down-for-good", func(s *testServer) { s.statuses = []int{500, 500, 500, 500, 500, 500, 500, 500, 500} }, nil, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "giving up after 8 attempts") || !strings.Contains(err.Error(), "500") {
				t.Errorf("err = %v", err)
			}
		}, false},
		{"size-differs-from-catalog", nil, func(r *Request) { r.Size = size + 1 }, func(t *testing.T, err error) {
			var ce *ChecksumError
			if !errors.As(err, &ce) {
				t.Errorf("err = %v", err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, content)
			if tt.setup != nil {
				tt.setup(s)
			}
			dest := filepath.Join(t.TempDir(), "pkg.zip")
			req := Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest}
			if tt.req != nil {
				tt.req(&req)
			}
			_, err := newClient(t, Options{}).Fetch(context.Background(), req)
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			tt.check(t, err)
			if _, err := os.Stat(dest); err == nil {
				t.Error("the destination exists after a failure")
			}
			if !tt.keepPart {
				assertNothing(t, dest)
			}
		})
	}
}

func TestInsecureRefused(t *testing.T) {
	_, sum := testContent(10)
	for _, u := range []string{"http://downloads.example.com/x.zip", "http://10.1.2.3/x.zip", "ftp://127.0.0.1/x"} {
		_, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: u, SHA256: sum, Dest: filepath.Join(t.TempDir(), "x")})
		if err == nil || (strings.HasPrefix(u, "http:") && !errors.Is(err, ErrInsecure)) {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// TLS with a corporate root from a CA bundle, and a redirect from https to
// plain http refused.
func TestTLSWithCABundleAndDowngrade(t *testing.T) {
	content, sum := testContent(size)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/downgrade" {
			http.Redirect(w, r, "http://downloads.example.com/pkg.zip", http.StatusFound)
			return
		}
		http.ServeContent(w, r, "pkg.zip", time.Time{}, strings.NewReader(string(content)))
	}))
	defer srv.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: srv.URL + "/pkg.zip", SHA256: sum, Dest: filepath.Join(dir, "a")}); err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
	c := newClient(t, Options{CABundle: bundle})
	if _, err := c.Fetch(context.Background(), Request{URL: srv.URL + "/pkg.zip", SHA256: sum, Dest: filepath.Join(dir, "b")}); err != nil {
		t.Fatalf("with the CA bundle: %v", err)
	}
	_, err := c.Fetch(context.Background(), Request{URL: srv.URL + "/downgrade", SHA256: sum, Dest: filepath.Join(dir, "c")})
	if !errors.Is(err, ErrInsecure) {
		t.Fatalf("redirect to plain http: %v", err)
	}
	if _, err := New(Options{CABundle: filepath.Join(dir, "b")}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a bundle without certificates: %v", err)
	}
}

// Cancel mid-transfer: the error says so, the partial file stays, and the
// next run resumes instead of starting over.
func TestCancelThenResume(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	s.slow = 2 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	s.onBytes = func(sent int) {
		if sent >= 64<<10 {
			once.Do(cancel)
		}
	}
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	req := Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest}
	_, err := newClient(t, Options{}).Fetch(ctx, req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	kept := fileSize(dest + ".part")
	if kept == 0 {
		t.Fatal("no partial file kept")
	}
	s.mu.Lock()
	s.slow, s.onBytes = 0, nil
	s.mu.Unlock()
	r, err := newClient(t, Options{}).Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Resumed || r.Transferred != size-kept {
		t.Errorf("resumed %v, transferred %d, want %d", r.Resumed, r.Transferred, size-kept)
	}
	assertOnlyDest(t, dest, content)
}

func TestStalePartWithoutMetaIsDiscarded(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(dest+".part", make([]byte, size+500), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	if r.Resumed {
		t.Error("resumed from bytes of unknown origin")
	}
	assertOnlyDest(t, dest, content)
}

func TestCorruptPartIsRetriedClean(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	s.cutAfter, s.cuts = 100<<10, 1
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	c := newClient(t, Options{MaxAttempts: 1})
	req := Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest}
	if _, err := c.Fetch(context.Background(), req); err == nil {
		t.Fatal("a single attempt survived the cut")
	}
	// Damage the kept bytes, as a disk error would.
	f, err := os.OpenFile(dest+".part", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xde, 0xad}, 10)
	f.Close()
	r, err := newClient(t, Options{}).Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Restarts != 1 {
		t.Errorf("restarts %d, want one clean restart", r.Restarts)
	}
	assertOnlyDest(t, dest, content)
}

func TestCacheAndExistingDest(t *testing.T) {
	content, sum := testContent(size)
	s := newTestServer(t, content)
	cache := t.TempDir()
	c := newClient(t, Options{CacheDir: cache})
	dir := t.TempDir()
	a := filepath.Join(dir, "a", "pkg.zip")
	if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/pkg.zip", SHA256: sum, Dest: a}); err != nil {
		t.Fatal(err)
	}
	// Already at its destination: nothing to do.
	r, err := c.Fetch(context.Background(), Request{URL: s.URL + "/pkg.zip", SHA256: sum, Dest: a})
	if err != nil || r.Transferred != 0 || s.count() != 1 {
		t.Fatalf("second fetch to the same place: %+v %v, %d requests", r, err, s.count())
	}
	// Elsewhere: from the cache.
	b := filepath.Join(dir, "b", "pkg.zip")
	r, err = c.Fetch(context.Background(), Request{URL: s.URL + "/pkg.zip", SHA256: sum, Dest: b})
	if err != nil || !r.FromCache || s.count() != 1 {
		t.Fatalf("from cache: %+v %v, %d requests", r, err, s.count())
	}
	assertOnlyDest(t, b, content)
	if p, ok := c.CachedPath(sum); !ok || !strings.HasPrefix(p, cache) {
		t.Errorf("CachedPath = %q %v", p, ok)
	}
	// A damaged cache entry is dropped and the file fetched again.
	os.Remove(b)
	os.Remove(a) // the cache may be a hard link to a: damage the cache itself
	p, _ := c.CachedPath(sum)
	if err := os.WriteFile(p, []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = c.Fetch(context.Background(), Request{URL: s.URL + "/pkg.zip", SHA256: sum, Dest: b})
	if err != nil || r.FromCache || s.count() != 2 {
		t.Fatalf("after cache damage: %+v %v, %d requests", r, err, s.count())
	}
	assertOnlyDest(t, b, content)
}

func TestFileSource(t *testing.T) {
	content, sum := testContent(size)
	src := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "out.zip")
	if _, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: "file://" + src, SHA256: sum, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	assertOnlyDest(t, dest, content)
	durable := filepath.Join(t.TempDir(), "durable.zip")
	if _, err := newClient(t, Options{Durable: true}).Fetch(context.Background(), Request{URL: "file://" + src, SHA256: sum, Dest: durable}); err != nil {
		t.Fatal(err)
	}
	assertOnlyDest(t, durable, content)
	if st, _ := os.Lstat(dest); st.Mode()&os.ModeSymlink != 0 {
		t.Error("file:// made a symlink, not a copy")
	}
	other := filepath.Join(t.TempDir(), "out.zip")
	_, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: "file://" + src, SHA256: strings.Repeat("0", 64), Dest: other})
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("wrong hash over file://: %v", err)
	}
	assertNothing(t, other)
}

func TestFetchAllAndProgress(t *testing.T) {
	var reqs []Request
	var contents [][]byte
	dir := t.TempDir()
	for i := range 4 {
		c, sum := testContent(size + i*1000)
		s := newTestServer(t, c)
		s.slow = time.Millisecond
		contents = append(contents, c)
		reqs = append(reqs, Request{URL: s.URL + "/f", SHA256: sum, Dest: filepath.Join(dir, string(rune('a'+i)), "f")})
	}
	var mu sync.Mutex
	events := map[string][]Progress{}
	c := newClient(t, Options{RateLimit: 64 << 20, Progress: func(p Progress) {
		mu.Lock()
		events[p.Dest] = append(events[p.Dest], p)
		mu.Unlock()
	}})
	results, err := c.FetchAll(context.Background(), reqs, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		got, _ := os.ReadFile(r.Path)
		if sumOf(got) != sumOf(contents[i]) {
			t.Errorf("file %d wrong", i)
		}
		ev := events[reqs[i].Dest]
		if len(ev) < 2 || ev[0].Event != EventStart || ev[len(ev)-1].Event != EventDone || ev[len(ev)-1].Done != int64(len(contents[i])) {
			t.Errorf("file %d events %+v", i, ev)
		}
		for j := 1; j < len(ev); j++ {
			if ev[j].Event == EventProgress && ev[j-1].Event == EventProgress && ev[j].Done < ev[j-1].Done {
				t.Errorf("progress went backwards")
			}
		}
	}
}

func TestBadRequests(t *testing.T) {
	c := newClient(t, Options{})
	if _, err := c.Fetch(context.Background(), Request{URL: "https://127.0.0.1/x", SHA256: "abc", Dest: "x"}); err == nil || !strings.Contains(err.Error(), "64 hex") {
		t.Errorf("short hash: %v", err)
	}
	if _, err := c.Fetch(context.Background(), Request{URL: "https://127.0.0.1/x", SHA256: strings.Repeat("a", 64)}); err == nil {
		t.Error("no destination accepted")
	}
}

func TestRedact(t *testing.T) {
	u := "https://user:pass@cdn.example.com/p.zip?X-Amz-Signature=abc&token=s3cret&v=1"
	r, _ := http.NewRequest("GET", u, nil)
	got := redact(r.URL)
	if strings.Contains(got, "pass") || strings.Contains(got, "s3cret") || strings.Contains(got, "abc") || !strings.Contains(got, "v=1") {
		t.Errorf("redact = %s", got)
	}
}

// The request's header reaches the server on every attempt, and a server
// that refuses it gets ErrAuth, with the secret in no error and no file.
func TestRequestHeader(t *testing.T) {
	content, sum := testContent(size)
	const secret = "Bearer s3cret-token"
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Header.Get("Authorization") != secret {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		w.Write(content)
	}))
	defer srv.Close()
	c := newClient(t, Options{})
	dir := t.TempDir()

	_, err := c.Fetch(context.Background(), Request{URL: srv.URL + "/p", SHA256: sum, Dest: filepath.Join(dir, "denied"), Header: http.Header{"Authorization": {"Bearer wrong"}}})
	if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong token: err = %v, want ErrAuth without the token", err)
	}
	dest := filepath.Join(t.TempDir(), "ok")
	if _, err := c.Fetch(context.Background(), Request{URL: srv.URL + "/p", SHA256: sum, Dest: dest, Header: http.Header{"Authorization": {secret}}}); err != nil {
		t.Fatal(err)
	}
	assertOnlyDest(t, dest, content)
	for _, name := range []string{dest} {
		if data, _ := os.ReadFile(name); strings.Contains(string(data), "s3cret") {
			t.Fatalf("%s holds the token", name)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[1] != secret {
		t.Fatalf("server saw %q", seen)
	}
}

// A buffer is filled by several reads only while bytes are waiting: a
// slow server's first bytes are on disk and reported before it sends
// more, not held until a whole buffer has arrived.
func TestSlowBytesWrittenAtOnce(t *testing.T) {
	content, sum := testContent(size)
	const first = 10 << 10
	release := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.Write(content[:first])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second): // the test fails below
		case <-r.Context().Done():
			return
		}
		w.Write(content[first:])
	}))
	defer srv.Close()
	dest := filepath.Join(t.TempDir(), "slow.bin")
	var early bool
	c := newClient(t, Options{Progress: func(p Progress) {
		if p.Event != EventProgress {
			return
		}
		once.Do(func() {
			st, err := os.Stat(dest + ".part")
			// The part file holds exactly what was written: space reserved
			// ahead (preallocate) does not count as bytes to resume from.
			early = p.Done > 0 && p.Done <= first && err == nil && st.Size() == p.Done
			close(release)
		})
	}})
	if _, err := c.Fetch(context.Background(), Request{URL: srv.URL + "/slow.bin", Dest: dest, SHA256: sum}); err != nil {
		t.Fatal(err)
	}
	if !early {
		t.Fatal("the first bytes were not written and reported before the server sent more")
	}
	assertOnlyDest(t, dest, content)
}
