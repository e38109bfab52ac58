package downloader

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// A server that sends more bytes than its Content-Length announces,
// after the body on the same connection, made net/http's transport log
// "Unsolicited response received on idle HTTP channel" through the
// standard logger: a line on the assistant's stderr, which belongs to
// the CLI's own words. A transfer's connection is not kept for another
// request, so nothing is read from it after the body.
func TestExtraBytesLogNothing(t *testing.T) {
	logged := &lockedBuffer{}
	defer log.SetOutput(log.Writer())
	log.SetOutput(logged)

	content, sum := testContent(64 << 10)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		var resp bytes.Buffer
		resp.WriteString("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(content)) + "\r\nETag: \"v1\"\r\n\r\n")
		resp.Write(content)
		resp.WriteString("HTTP/1.1 200 OK\r\n\r\nthese bytes were never asked for")
		c.Write(resp.Bytes())
		// Until the client is done with the connection: by then the
		// transport has logged whatever it logs.
		io.Copy(io.Discard, c)
	}()
	dest := filepath.Join(t.TempDir(), "pkg.zip")
	if _, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: "http://" + l.Addr().String() + "/pkg.zip", SHA256: sum, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("the client kept the connection open")
	}
	if s := logged.String(); s != "" {
		t.Errorf("logged %q", s)
	}
}

// lockedBuffer is written by the transport's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
