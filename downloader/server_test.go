package downloader

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// testServer serves one file on 127.0.0.1 and misbehaves as told.
type testServer struct {
	*httptest.Server
	mu       sync.Mutex
	content  []byte
	etag     string
	modified time.Time

	ignoreRange bool // answer every GET with 200 and the whole file
	cutAfter    int  // close the connection after this many body bytes, per response (0: never)
	cuts        int  // how many responses to cut (0: all, when cutAfter > 0)
	truncate    int  // end the body early, without a Content-Length, this many bytes short (first response only)
	alter       bool // flip one byte in every response
	noHead      bool // answer HEAD with 405
	statuses    []int
	retryAfter  string
	slow        time.Duration // pause between 1 KiB writes
	onBytes     func(sent int)

	requests []*http.Request
}

func newTestServer(t *testing.T, content []byte) *testServer {
	s := &testServer{content: content, etag: `"v1"`, modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) replace(content []byte, etag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.content, s.etag, s.modified = content, etag, s.modified.Add(time.Hour)
}

func (s *testServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(r.Context()))
	n := len(s.requests)
	content, etag, modified := s.content, s.etag, s.modified
	var status int
	if len(s.statuses) > 0 {
		status, s.statuses = s.statuses[0], s.statuses[1:]
	}
	cut := s.cutAfter > 0 && (s.cuts == 0 || n <= s.cuts)
	s.mu.Unlock()

	if r.Method == http.MethodHead && s.noHead {
		http.Error(w, "no HEAD here", http.StatusMethodNotAllowed)
		return
	}
	if status != 0 {
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	if s.alter {
		content = bytes.Clone(content)
		content[len(content)/2] ^= 0xff
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
	var out http.ResponseWriter = w
	if cut || s.slow > 0 || s.onBytes != nil {
		out = &cuttingWriter{ResponseWriter: w, limit: map[bool]int{true: s.cutAfter}[cut], slow: s.slow, onBytes: s.onBytes}
	}
	switch {
	case s.truncate > 0 && n == 1:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		w.Write(content[:len(content)-s.truncate])
	case s.ignoreRange:
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.WriteHeader(http.StatusOK)
		out.Write(content)
	default:
		http.ServeContent(out, r, "file.bin", modified, bytes.NewReader(content))
	}
}

// cuttingWriter writes at most limit body bytes, then drops the connection.
type cuttingWriter struct {
	http.ResponseWriter
	limit, sent int
	slow        time.Duration
	onBytes     func(int)
}

func (c *cuttingWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(len(p), 1024)
		if c.limit > 0 && c.sent+k > c.limit {
			k = c.limit - c.sent
			if k > 0 {
				c.ResponseWriter.Write(p[:k])
				c.sent += k
			}
			c.ResponseWriter.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection is closed mid-body
		}
		n, err := c.ResponseWriter.Write(p[:k])
		c.sent += n
		written += n
		if err != nil {
			return written, err
		}
		p = p[k:]
		if c.onBytes != nil {
			c.onBytes(c.sent)
		}
		if c.slow > 0 {
			c.ResponseWriter.(http.Flusher).Flush()
			time.Sleep(c.slow)
		}
	}
	return written, nil
}

func (s *testServer) rangeHeaders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.requests {
		out = append(out, r.Method+" "+r.Header.Get("Range")+" "+r.Header.Get("If-Range"))
	}
	return out
}

func (s *testServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func testContent(n int) ([]byte, string) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var _ = fmt.Sprint
