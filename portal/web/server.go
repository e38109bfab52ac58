package web

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// ServerOptions bound what one client can hold of the service: time to
// send a request, time to take an answer, connections per address. Zero
// values take the defaults; tests shorten them.
type ServerOptions struct {
	ReadHeaderTimeout time.Duration // the request line and headers; default 10 s
	// ReadTimeout is the whole request, body included (a user list of
	// 16 MiB at 300 KiB/s); default 60 s.
	ReadTimeout time.Duration
	// WriteTimeout is one answer; a package download gets it anew for
	// each write, so only a client that stops reading is cut. Default 60 s.
	WriteTimeout       time.Duration
	IdleTimeout        time.Duration // between requests on a connection; default 2 min
	MaxHeaderBytes     int           // default 64 KiB
	MaxConnsPerAddress int           // connections open at once from one IP address; default 64
	// MaxRequestsPerAddress is requests in flight at once from one IP
	// address, whatever the connections they share: HTTP/2 carries many
	// on one connection. Default MaxConnsPerAddress.
	MaxRequestsPerAddress int
	// TrustedProxies are the reverse proxies whose Forwarded /
	// X-Forwarded-For headers name the client (Service.TrustedProxies):
	// requests through them are counted by the client's address, and one
	// such proxy, which carries every client's requests, may hold
	// proxyFactor times the bounds of one address.
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger // the server's own errors (accept failures, TLS handshakes)
}

// proxyFactor multiplies the bounds of one address for a trusted proxy:
// all the clients behind it share its connections, yet one proxy gone
// wrong still cannot take every connection the process may hold.
const proxyFactor = 16

func (o ServerOptions) withDefaults() ServerOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ReadHeaderTimeout, 10*time.Second)
	def(&o.ReadTimeout, 60*time.Second)
	def(&o.WriteTimeout, 60*time.Second)
	def(&o.IdleTimeout, 2*time.Minute)
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 64 << 10
	}
	if o.MaxConnsPerAddress <= 0 {
		o.MaxConnsPerAddress = 64
	}
	if o.MaxRequestsPerAddress <= 0 {
		o.MaxRequestsPerAddress = o.MaxConnsPerAddress
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Server serves the account service's handler with the options' bounds:
// `portal serve` and the embedded demo both run one.
type Server struct {
	http     *http.Server
	o        ServerOptions
	mu       sync.Mutex
	inflight map[string]int // requests being served, by client address
}

// maxStreamsPerConn bounds the requests one HTTP/2 connection carries at
// once (Go's default is 250): a desktop client needs a few.
const maxStreamsPerConn = 32

// tlsSuites are the TLS 1.2 suites offered: forward secret (ECDHE) and
// authenticated encryption (AEAD) only, no CBC mode nor SHA-1 MAC. TLS 1.3
// suites are not configurable and all AEAD.
var tlsSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// NewServer prepares a server for h.
func NewServer(h http.Handler, o ServerOptions) *Server {
	o = o.withDefaults()
	s := &Server{o: o, inflight: map[string]int{}}
	s.http = &http.Server{
		Handler:           s.limitRequests(h),
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: tlsSuites},
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: maxStreamsPerConn},
	}
	return s
}

// limitRequests answers 429 at once to a request from an address that
// already has MaxRequestsPerAddress in flight: the bound on connections
// alone would let one HTTP/2 connection carry hundreds of uploads. Behind
// a trusted proxy the address is the client's, or every client behind it
// would share one budget; the proxy itself has a bound proxyFactor times
// larger.
func (s *Server) limitRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		keys := []string{host}
		bounds := []int{s.o.MaxRequestsPerAddress}
		if peer, err := netip.ParseAddr(host); err == nil && trustedIn(s.o.TrustedProxies, peer) {
			// A proxy's own count is apart from a client's at its address.
			keys = []string{forwardedClient(r, s.o.TrustedProxies), "proxy " + host}
			bounds = []int{s.o.MaxRequestsPerAddress, proxyFactor * s.o.MaxRequestsPerAddress}
		}
		s.mu.Lock()
		for i, k := range keys {
			if s.inflight[k] < bounds[i] {
				continue
			}
			s.mu.Unlock()
			s.o.Logger.Debug("request refused", "event", "request_refused", "remote", k, "in_flight", bounds[i])
			w.Header().Set("Retry-After", "1")
			if r.ProtoMajor == 1 {
				// The body is not read. (On HTTP/2, Connection: close would
				// end the connection's other streams too.)
				w.Header().Set("Connection", "close")
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			json.NewEncoder(w).Encode(Problem{Type: "https://onramp.dev/problems/rate_limited", Title: "Too Many Requests",
				Status: http.StatusTooManyRequests, Code: "rate_limited", RetryAfter: 1,
				Detail: "too many requests at once from your address (at most " + strconv.Itoa(bounds[i]) + "): wait for some to finish"})
			return
		}
		for _, k := range keys {
			s.inflight[k]++
		}
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			for _, k := range keys {
				if s.inflight[k]--; s.inflight[k] == 0 {
					delete(s.inflight, k)
				}
			}
			s.mu.Unlock()
		}()
		h.ServeHTTP(w, r)
	})
}

// Serve accepts connections on ln until Shutdown, at most
// MaxConnsPerAddress at once from one address.
func (s *Server) Serve(ln net.Listener) error {
	return s.http.Serve(s.limit(ln))
}

// ServeTLS is Serve over TLS.
func (s *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	return s.http.ServeTLS(s.limit(ln), certFile, keyFile)
}

// Shutdown stops accepting and waits for the requests in flight, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.http.Shutdown(ctx)
}

func (s *Server) limit(ln net.Listener) net.Listener {
	return &addressLimit{Listener: ln, max: s.o.MaxConnsPerAddress, proxies: s.o.TrustedProxies, open: map[string]int{}, log: s.o.Logger}
}

// addressLimit closes a new connection at once when its address already
// has max open: one client cannot take every connection the process may
// hold.
type addressLimit struct {
	net.Listener
	max     int
	proxies []netip.Prefix // these may hold proxyFactor times max
	log     *slog.Logger
	mu      sync.Mutex
	open    map[string]int
}

func (l *addressLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(c.RemoteAddr().String())
		if err != nil {
			host = c.RemoteAddr().String()
		}
		limit := l.max
		if a, err := netip.ParseAddr(host); err == nil && trustedIn(l.proxies, a) {
			limit *= proxyFactor
		}
		l.mu.Lock()
		if l.open[host] >= limit {
			l.mu.Unlock()
			c.Close()
			l.log.Debug("connection refused", "event", "connection_refused", "remote", host, "open", limit)
			continue
		}
		l.open[host]++
		l.mu.Unlock()
		return &countedConn{Conn: c, release: func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.open[host]--; l.open[host] == 0 {
				delete(l.open, host)
			}
		}}, nil
	}
}

type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
