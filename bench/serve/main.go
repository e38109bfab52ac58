// Command serve is the benchmarks' file server: it serves a folder on
// 127.0.0.1 with Range, ETag and Last-Modified, can drop the connection of
// its first response after a number of bytes, and reports on /stats how
// many body bytes it has sent in all.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

func main() {
	dir := flag.String("dir", ".", "folder to serve")
	cut := flag.Int64("cut", 0, "drop the first response's connection after this many bytes")
	flag.Parse()

	var sent atomic.Int64
	var once sync.Once
	files := http.FileServer(http.Dir(*dir))
	mux := http.NewServeMux()
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, sent.Load())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if st, err := os.Stat(filepath.Join(*dir, filepath.Clean("/"+r.URL.Path))); err == nil {
			w.Header().Set("ETag", fmt.Sprintf(`"%d-%d"`, st.Size(), st.ModTime().UnixNano()))
		}
		limit := int64(-1)
		once.Do(func() { limit = *cut })
		files.ServeHTTP(&countingWriter{ResponseWriter: w, sent: &sent, limit: limit}, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	http.Serve(ln, mux)
}

type countingWriter struct {
	http.ResponseWriter
	sent  *atomic.Int64
	limit int64 // <= 0: no cut
	n     int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.limit > 0 && c.n+int64(len(p)) > c.limit {
		k := c.limit - c.n
		c.ResponseWriter.Write(p[:k])
		c.sent.Add(k)
		panic(http.ErrAbortHandler)
	}
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	c.sent.Add(int64(n))
	return n, err
}

// ReadFrom keeps the zero-copy path of net/http when nothing is cut.
func (c *countingWriter) ReadFrom(r interface{ Read([]byte) (int, error) }) (int64, error) {
	buf := make([]byte, 256<<10)
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err != nil {
			return total, nil
		}
	}
}
