package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// serveWith runs the service behind NewServer on a loopback port.
func serveWith(t testing.TB, o ServerOptions, packages portal.PackageSource) *testPortal {
	t.Helper()
	store, db := openTestStore(t)
	signed, c := testCatalog(t)
	svc := portal.NewService(store, signed, c, "https://127.0.0.1/signin")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(NewHandler(svc, packages), o)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	p := &testPortal{svc: svc, store: store, db: db}
	p.Server = &httptest.Server{URL: "http://" + ln.Addr().String()} // for p.call; NewServer serves
	return p
}

// readSlowly reads a download 256 KiB every 25 ms (about 2.4 s for 24
// MiB: a slow, steady reader, far longer than the servers' 500 ms write
// timeout in these tests) and fails unless all size bytes came.
func readSlowly(t *testing.T, resp *http.Response, size int64) {
	t.Helper()
	defer resp.Body.Close()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	var got int64
	for {
		n, err := io.CopyN(io.Discard, resp.Body, 256<<10)
		got += n
		if err != nil {
			break
		}
		<-tick.C
	}
	if got != size {
		t.Errorf("the download stopped at %d of %d bytes", got, size)
	}
}

// closedByServer reads conn until the server closes it, with a deadline
// far beyond the server's own so a connection left open fails the test.
func closedByServer(t *testing.T, conn net.Conn) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept the connection open")
	}
}

// A client that sends its request a byte at a time is cut off at the
// server's deadline, whether it trickles headers or a body.
func TestSlowClientsAreCut(t *testing.T) {
	p := serveWith(t, ServerOptions{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond}, nil)
	addr := p.URL[len("http://"):]
	tests := []struct {
		name, start string
	}{
		{"slow-body", "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"},
		{"slow-headers", "POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.start); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			go func() { // one byte every 20 ms, until the server hangs up
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if _, err := conn.Write([]byte(" ")); err != nil {
							return
						}
					}
				}
			}()
			closedByServer(t, conn)
		})
	}
}

// One address may hold MaxConnsPerAddress connections; the next is closed
// at once, and a place frees when one of them closes.
func TestConnectionsPerAddressBounded(t *testing.T) {
	p := serveWith(t, ServerOptions{MaxConnsPerAddress: 2}, nil)
	addr := p.URL[len("http://"):]
	faq := func(conn net.Conn) error {
		if _, err := io.WriteString(conn, "GET /api/v1/faq HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("faq: %d", resp.StatusCode)
		}
		return nil
	}
	var open []net.Conn
	for i := range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := faq(c); err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		open = append(open, c)
	}
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if err := faq(third); err == nil {
		t.Fatal("a third connection from one address was served")
	}
	open[0].Close()
	for attempt := 0; ; attempt++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		err = faq(c)
		c.Close()
		if err == nil {
			break
		}
		if attempt == 1000 {
			t.Fatalf("no place freed after a connection closed: %v", err)
		}
	}
}

// A package download longer than WriteTimeout completes while the client
// keeps reading: the deadline moves with each write.
func TestLongDownloadOutlivesWriteTimeout(t *testing.T) {
	const size = 24 << 20
	p := serveWith(t, ServerOptions{WriteTimeout: 500 * time.Millisecond}, portal.FolderPackages(packageFolder(t, size)))
	token, _ := p.admin(t, "mgr@x.example", "atlas")
	req, _ := http.NewRequest("GET", p.URL+"/api/v1/packages/atlas-1.0.0.tar.gz", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readSlowly(t, resp, size)
}
