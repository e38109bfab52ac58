package web

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSlowloris opens 500 connections from 127.0.0.1 that each send
// a sign-in body a byte every 100 ms, against a server with a 1 s read
// timeout and 64 connections per address; meanwhile a client on
// 127.0.0.2 asks for the FAQ. It reports the connections the server held,
// those it closed at once, the longest any was held, and the other
// address's latency.
func BenchmarkSlowloris(b *testing.B) {
	p := serveWith(b, ServerOptions{ReadHeaderTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, MaxConnsPerAddress: 64}, nil)
	addr := strings.TrimPrefix(p.URL, "http://")
	const conns = 500
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	for b.Loop() {
		var held, refused, longest atomic.Int64
		var dialed, done sync.WaitGroup
		dialed.Add(conns)
		for range conns {
			done.Go(func() {
				start := time.Now()
				c, err := net.Dial("tcp", addr)
				if err != nil {
					refused.Add(1)
					dialed.Done()
					return
				}
				defer c.Close()
				io.WriteString(c, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
				dialed.Done()
				stop := make(chan struct{})
				defer close(stop)
				go func() {
					tick := time.NewTicker(100 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-stop:
							return
						case <-tick.C:
							if _, err := c.Write([]byte(" ")); err != nil {
								return
							}
						}
					}
				}()
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
				n, _ := io.Copy(io.Discard, c)
				if n == 0 {
					refused.Add(1)
					return
				}
				held.Add(1)
				for d := time.Since(start).Milliseconds(); ; {
					cur := longest.Load()
					if d <= cur || longest.CompareAndSwap(cur, d) {
						break
					}
				}
			})
		}
		dialed.Wait()
		start := time.Now()
		resp, err := other.Get(p.URL + "/api/v1/faq")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("another address during the attack: %v", err)
		}
		resp.Body.Close()
		otherMS := float64(time.Since(start).Microseconds()) / 1000
		done.Wait()
		b.ReportMetric(float64(held.Load()), "held-conns")
		b.ReportMetric(float64(refused.Load()), "refused-conns")
		b.ReportMetric(float64(longest.Load()), "longest-held-ms")
		b.ReportMetric(otherMS, "other-address-ms")
	}
}

// BenchmarkImportsWithSignIns is eight imports of 500 users at once with
// eight sign-ins beside them, over HTTP on one SQLite file: the longest
// import and the longest sign-in.
func BenchmarkImportsWithSignIns(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		p := serveWith(b, ServerOptions{}, nil)
		token, uid := p.bigContract(b, "mgr@x.example", 10_000)
		b.StartTimer()
		var longestImport, longestSignIn atomic.Int64
		record := func(a *atomic.Int64, d time.Duration) {
			for {
				cur := a.Load()
				if int64(d) <= cur || a.CompareAndSwap(cur, int64(d)) {
					return
				}
			}
		}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				var csv strings.Builder
				csv.WriteString("email,name,products,benefits\n")
				for j := range 500 {
					fmt.Fprintf(&csv, "i%d-u%d@x.example,User %d,atlas,download\n", i, j, j)
				}
				req, _ := http.NewRequest("POST", p.URL+"/api/v1/users/import", strings.NewReader(csv.String()))
				req.Header.Set("Authorization", "Bearer "+token)
				start := time.Now()
				resp, err := http.DefaultClient.Do(req)
				if err != nil || resp.StatusCode != 200 {
					b.Errorf("import: %v %v", err, resp.Status)
					return
				}
				resp.Body.Close()
				record(&longestImport, time.Since(start))
			})
		}
		for range 8 {
			wg.Go(func() {
				start := time.Now()
				if code := p.call(b, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a long enough passphrase"}, nil); code != 200 {
					b.Errorf("sign-in: %d", code)
				}
				record(&longestSignIn, time.Since(start))
			})
		}
		wg.Wait()
		b.ReportMetric(float64(time.Duration(longestImport.Load()).Milliseconds()), "longest-import-ms")
		b.ReportMetric(float64(time.Duration(longestSignIn.Load()).Milliseconds()), "longest-sign-in-ms")
	}
}
