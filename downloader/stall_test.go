package downloader

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stallingServer serves content, but its first response stops after
// half the body and keeps the connection open until the client goes.
type stallingServer struct {
	*httptest.Server
	mu     sync.Mutex
	ranges []string
	stalls int // responses that stall (each after half of what is left)
}

func newStallingServer(t *testing.T, content []byte, stalls int) *stallingServer {
	s := &stallingServer{stalls: stalls}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.ranges = append(s.ranges, r.Header.Get("Range"))
		stall := s.stalls > 0
		s.stalls--
		s.mu.Unlock()
		w.Header().Set("ETag", `"v1"`)
		if !stall {
			http.ServeContent(w, r, "f", time.Time{}, strings.NewReader(string(content)))
			return
		}
		body, status := content, http.StatusOK
		if rg := r.Header.Get("Range"); rg != "" {
			from, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
			w.Header().Set("Content-Range", "bytes "+strconv.Itoa(from)+"-"+strconv.Itoa(len(content)-1)+"/"+strconv.Itoa(len(content)))
			body, status = content[from:], http.StatusPartialContent
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the connection stays open: only the client ends it
	}))
	t.Cleanup(s.Close)
	return s
}

// A server that stops sending mid-body with the connection open is given
// up on after the stall timeout, and the transfer resumes from the bytes
// kept, reporting the stall with its attempt number.
func TestStallResumes(t *testing.T) {
	content, sum := testContent(size)
	s := newStallingServer(t, content, 2)
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	var mu sync.Mutex
	var stalls []Progress
	c := newClient(t, Options{StallTimeout: 100 * time.Millisecond, MaxAttempts: 5, Progress: func(p Progress) {
		if p.Event == EventStall {
			mu.Lock()
			stalls = append(stalls, p)
			mu.Unlock()
		}
	}})
	// A bound for the test only: before the stall timeout existed, the
	// transfer waited here forever.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := c.Fetch(ctx, Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	assertOnlyDest(t, dest, content)
	if res.Attempts != 3 || !res.Resumed {
		t.Errorf("attempts %d, resumed %v; want 3 attempts, resumed", res.Attempts, res.Resumed)
	}
	half, quarter := size/2, size/2+(size-size/2)/2
	want := []string{"", "bytes=" + strconv.Itoa(half) + "-", "bytes=" + strconv.Itoa(quarter) + "-"}
	s.mu.Lock()
	got := s.ranges
	s.mu.Unlock()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ranges asked %q, want %q", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stalls) != 2 || stalls[0].Attempt != 2 || stalls[1].Attempt != 3 || stalls[0].MaxAttempts != 5 || stalls[0].Done != int64(half) {
		t.Errorf("stall events %+v; want attempts 2 and 3 of 5, the first at %d bytes", stalls, half)
	}
}

// A server that stalls on every attempt ends in a StallError that says
// so, the bytes received kept for a later resume.
func TestStallGivesUp(t *testing.T) {
	content, sum := testContent(size)
	s := newStallingServer(t, content, 100)
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	c := newClient(t, Options{StallTimeout: 50 * time.Millisecond, MaxAttempts: 2})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Fetch(ctx, Request{URL: s.URL + "/pkg.zip", SHA256: sum, Size: size, Dest: dest})
	var se *StallError
	if !errors.Is(err, ErrStalled) || !errors.As(err, &se) || ctx.Err() != nil {
		t.Fatalf("err = %v, want a StallError", err)
	}
	if got := fileSize(dest + ".part"); got == 0 || got >= size {
		t.Errorf("%d bytes kept, want the bytes received", got)
	}
}

// A server that never answers the request (headers never come) is a
// stall too.
func TestStallBeforeHeaders(t *testing.T) {
	_, sum := testContent(10)
	release := make(chan struct{})
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(t, Options{StallTimeout: 50 * time.Millisecond, MaxAttempts: 2, HTTPClient: &http.Client{}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Fetch(ctx, Request{URL: srv.URL + "/x", SHA256: sum, Dest: filepath.Join(t.TempDir(), "x")})
	if !errors.Is(err, ErrStalled) || ctx.Err() != nil {
		t.Fatalf("err = %v, want ErrStalled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// A refused connection (nothing listens) is retried a few times only,
// each retry reported with its number of the most there will be.
func TestRefusedConnectionFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, sum := testContent(10)
	var mu sync.Mutex
	var retries []Progress
	c := newClient(t, Options{Progress: func(p Progress) {
		if p.Event == EventRetry {
			mu.Lock()
			retries = append(retries, p)
			mu.Unlock()
		}
	}})
	_, err = c.Fetch(context.Background(), Request{URL: "http://" + addr + "/x", SHA256: sum, Dest: filepath.Join(t.TempDir(), "x")})
	if err == nil || !strings.Contains(err.Error(), "giving up after 3 attempts") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want giving up after 3 attempts, connection refused", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(retries) != 2 || retries[0].Attempt != 2 || retries[1].Attempt != 3 || retries[0].MaxAttempts != 3 {
		t.Errorf("retry events %+v; want attempts 2 and 3 of 3", retries)
	}
}

// overstatingServer announces extra bytes more than the file holds (in
// Content-Length and Content-Range) and closes the connection after the
// real bytes; a range from the real end is refused with 416 and the
// overstated size, as such servers do.
func overstatingServer(t *testing.T, content []byte, extra int) (*httptest.Server, *atomic.Int32) {
	var requests atomic.Int32
	announced := len(content) + extra
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("ETag", `"v1"`)
		from := 0
		if rg := r.Header.Get("Range"); rg != "" {
			from, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
			if from >= len(content) {
				w.Header().Set("Content-Range", "bytes */"+strconv.Itoa(announced))
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				return
			}
			w.Header().Set("Content-Range", "bytes "+strconv.Itoa(from)+"-"+strconv.Itoa(announced-1)+"/"+strconv.Itoa(announced))
			w.Header().Set("Content-Length", strconv.Itoa(announced-from))
			w.WriteHeader(http.StatusPartialContent)
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(announced))
		}
		w.Write(content[from:]) // fewer bytes than announced: the server closes the connection
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

// A server that overstates the size ends the connection early: bytes
// that hash to the file are accepted in one request, whether the
// catalog's size is known or not; bytes that do not are a checksum
// failure after a bounded number of requests, not eight downloads.
func TestOverstatedSize(t *testing.T) {
	content, sum := testContent(size)
	for _, tt := range []struct {
		name     string
		size     int64
		sum      string
		wantErr  bool
		requests int32
	}{
		{"size-unknown", 0, sum, false, 1},
		{"size-from-catalog", size, sum, false, 1},
		{"wrong-bytes-size-unknown", 0, sumOf([]byte("other")), true, 4},
		{"wrong-bytes-size-from-catalog", size, sumOf([]byte("other")), true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, requests := overstatingServer(t, content, 100)
			dest := filepath.Join(t.TempDir(), "pkg.zip")
			res, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: srv.URL + "/pkg.zip", SHA256: tt.sum, Size: tt.size, Dest: dest})
			if tt.wantErr {
				var ce *ChecksumError
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want a checksum error", err)
				}
				assertNothing(t, dest)
			} else {
				if err != nil {
					t.Fatal(err)
				}
				assertOnlyDest(t, dest, content)
				if res.Size != size {
					t.Errorf("size %d, want %d", res.Size, size)
				}
			}
			if n := requests.Load(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}
