package downloader

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkFetch is one verified 64 MiB transfer from 127.0.0.1, with a
// cache: the lock, the one-handle hashing and the checks at the rename are
// in it.
func BenchmarkFetch(b *testing.B) {
	content, sum := testContent(64 << 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(content))
	}))
	defer srv.Close()
	dir := b.TempDir()
	b.SetBytes(int64(len(content)))
	for b.Loop() {
		c, err := New(Options{CacheDir: filepath.Join(dir, "cache")})
		if err != nil {
			b.Fatal(err)
		}
		dest := filepath.Join(dir, "f")
		if _, err := c.Fetch(context.Background(), Request{URL: srv.URL + "/f", SHA256: sum, Dest: dest}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
