package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"testing"
)

// Behind a trusted proxy, requests in flight count by the client's
// address: one client at its bound leaves the others behind the same
// proxy served. From any other peer the forwarding headers change
// nothing.
func TestRequestsInFlightCountedPerClientBehindProxy(t *testing.T) {
	entered := make(chan struct{}, 4)
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	serve := func(proxies []netip.Prefix) string {
		srv := NewServer(h, ServerOptions{MaxConnsPerAddress: 1, MaxRequestsPerAddress: 1, TrustedProxies: proxies})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
		return "http://" + ln.Addr().String()
	}
	get := func(url, client string) chan int {
		codes := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("X-Forwarded-For", client)
			resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
		return codes
	}
	defer close(release)

	proxied := serve([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	first := get(proxied, "203.0.113.1")
	<-entered
	if code := <-get(proxied, "203.0.113.1"); code != http.StatusTooManyRequests {
		t.Errorf("a second request of the same client: %d, want 429", code)
	}
	other := get(proxied, "203.0.113.2")
	select {
	case <-entered: // served: its own budget
	case code := <-other:
		t.Fatalf("another client behind the proxy: %d, want it served", code)
	case code := <-first:
		t.Fatalf("the first request ended: %d", code)
	}

	direct := serve(nil)
	get(direct, "203.0.113.1")
	<-entered
	if code := <-get(direct, "203.0.113.2"); code != http.StatusTooManyRequests && code != 0 {
		t.Errorf("a forwarding header from an untrusted peer split its budget: %d", code)
	}
}
