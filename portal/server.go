package portal

import (
	"context"
	"log/slog"
	"net"
	"net/http"
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
	Logger             *slog.Logger  // the server's own errors (accept failures, TLS handshakes)
}

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
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Server serves the account service's handler with the options' bounds:
// `portal serve` and the embedded demo both run one.
type Server struct {
	http *http.Server
	o    ServerOptions
}

// NewServer prepares a server for h.
func NewServer(h http.Handler, o ServerOptions) *Server {
	o = o.withDefaults()
	return &Server{o: o, http: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}}
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
	return &addressLimit{Listener: ln, max: s.o.MaxConnsPerAddress, open: map[string]int{}, log: s.o.Logger}
}

// addressLimit closes a new connection at once when its address already
// has max open: one client cannot take every connection the process may
// hold.
type addressLimit struct {
	net.Listener
	max  int
	log  *slog.Logger
	mu   sync.Mutex
	open map[string]int
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
		l.mu.Lock()
		if l.open[host] >= l.max {
			l.mu.Unlock()
			c.Close()
			l.log.Debug("connection refused", "event", "connection_refused", "remote", host, "open", l.max)
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
