// Package downloader owns Onramp's transfers: one file from a URL to a
// destination, verified against a SHA-256 before it appears, resumable
// across failures and restarts, with a cache keyed by hash, retries,
// a bandwidth limit and throttled progress events.
//
// http, https and file sources are served by this package itself
// (fetchHTTP, fetchFile): go-getter's stock HTTP getter appends full 200
// bodies to partial files, never checks validators and trusts a local file
// by its size. Object stores (s3, gcs) and go-getter's other URL forms go
// through go-getter only in a build with the tag "cloudsources"
// (sources_getter.go): its root package links the S3 and GCS SDKs (some
// 400 packages) and the testing package into any program importing it,
// which costs every command of the assistant start-up time and memory.
// Without the tag such a URL is an UnsupportedSourceError. downloader
// knows nothing of products or the UI; callers are setup (download), cli
// (fetch) and, through setup, the ui and deployments.
package downloader

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Request is one file to fetch.
type Request struct {
	URL    string
	SHA256 string // lowercase or uppercase hex; required
	Size   int64  // expected size in bytes, 0 when unknown
	Dest   string // final path; written as Dest+".part" until verified
	// Header is added to every HTTP request of the transfer (for example
	// Authorization for an account service's packages) while it stays on
	// the origin (scheme, host and port) of URL: a redirect to another
	// origin goes without it, and without the Referer. It is never
	// written to disk or into an error.
	Header http.Header
}

// Result says how a request was satisfied.
type Result struct {
	Path            string `json:"path"`
	Size            int64  `json:"size"`
	SHA256          string `json:"sha256"`
	FromCache       bool   `json:"from_cache"`        // copied from the cache, nothing transferred
	Transferred     int64  `json:"transferred"`       // bytes received over the network in this run
	Resumed         bool   `json:"resumed"`           // continued a partial file
	Restarts        int    `json:"restarts"`          // times the file had to start over
	Attempts        int    `json:"attempts"`          // requests made
	ChangedOnServer bool   `json:"changed_on_server"` // the remote file changed between attempts
}

// Options configure a Client.
type Options struct {
	// CacheDir holds verified packages by hash; "" means no cache.
	CacheDir string
	// RateLimit caps the transfer rate in bytes per second; 0 means none.
	RateLimit int64
	// CABundle is a PEM file of extra root certificates, for corporate
	// TLS inspection; added to the system's.
	CABundle string
	// MaxAttempts bounds the requests for one file (default 8).
	MaxAttempts int
	// Backoff is the first retry delay, doubled each time up to MaxBackoff
	// (defaults 500 ms and 30 s).
	Backoff, MaxBackoff time.Duration
	// StallTimeout is how long a transfer waits for a byte (or for the
	// response's headers) before it gives up on the connection and
	// resumes with a new request, as curl's --speed-time does; an
	// EventStall is reported and the request counts as an attempt
	// (default 30 s). Time spent under the rate limit does not count.
	StallTimeout time.Duration
	// Progress receives throttled progress events; nil for none.
	Progress func(Progress)
	// Durable puts a file's bytes on disk (fsync) before it is promoted,
	// asking the kernel to write them out as they come; the transfer then
	// ends no sooner than the disk can take the file. Without it the file
	// is promoted from the page cache, as curl leaves its output: every
	// reader in Onramp hashes a package again before it uses it (an
	// install, a cache hit, a destination already there), so bytes a
	// power cut lost are found and fetched again, never installed. For a
	// file handed to other programs at once (`fetch --sync`).
	Durable bool
	// HTTPClient replaces the default client (tests); its transport should
	// honour proxies and TLS as the default does.
	HTTPClient *http.Client
	// Proxy chooses the proxy of a request; nil means HTTPS_PROXY,
	// HTTP_PROXY and NO_PROXY from the environment. Unused with HTTPClient.
	Proxy func(*http.Request) (*url.URL, error)
}

// DefaultStallTimeout is Options.StallTimeout when none is set.
const DefaultStallTimeout = 30 * time.Second

// Client fetches files. It is safe for concurrent use.
type Client struct {
	opt     Options
	http    *http.Client
	limiter limiter
	// partWriter wraps the partial file's writer: tests make it fail as a
	// full disk does, which no test can make portably.
	partWriter func(io.Writer) io.Writer
}

// New makes a Client.
func New(opt Options) (*Client, error) {
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 500 * time.Millisecond
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 30 * time.Second
	}
	if opt.StallTimeout <= 0 {
		opt.StallTimeout = DefaultStallTimeout
	}
	c := &Client{opt: opt, http: opt.HTTPClient}
	if c.http != nil {
		// A caller's client keeps its own redirect policy, and the
		// Request's credentials still stay with their origin.
		hc := *c.http
		inner := hc.CheckRedirect
		hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if inner != nil {
				if err := inner(req, via); err != nil {
					return err
				}
			} else if len(via) >= 10 {
				return ErrTooManyRedirects
			}
			keepCredentialsInOrigin(req, via)
			return nil
		}
		c.http = &hc
	} else {
		hc, err := newHTTPClient(opt.CABundle, opt.Proxy)
		if err != nil {
			return nil, err
		}
		c.http = hc
	}
	return c, nil
}

func newHTTPClient(caBundle string, proxy func(*http.Request) (*url.URL, error)) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialer().DialContext
	tr.Proxy = http.ProxyFromEnvironment // HTTPS_PROXY, NO_PROXY
	if proxy != nil {
		tr.Proxy = proxy
	}
	// A 407 to CONNECT otherwise comes back as a bare status text.
	tr.OnProxyConnectResponse = func(_ context.Context, proxyURL *url.URL, _ *http.Request, res *http.Response) error {
		if res.StatusCode == http.StatusProxyAuthRequired {
			return &ProxyAuthError{Proxy: redact(proxyURL)}
		}
		return nil
	}
	tr.ResponseHeaderTimeout = 30 * time.Second
	// Compressed transfer would change what is hashed and break ranges.
	tr.DisableCompression = true
	if caBundle != "" {
		pem, err := os.ReadFile(caBundle)
		if err != nil {
			return nil, fmt.Errorf("CA bundle: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA bundle %s: no PEM certificate in it", caBundle)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return ErrTooManyRedirects
			}
			if err := checkAddress(req.URL); err != nil {
				return err
			}
			if err := checkSecure(req.URL); err != nil {
				return err
			}
			keepCredentialsInOrigin(req, via)
			return nil
		},
	}, nil
}

// Errors callers branch on.
var (
	// ErrInsecure: plain HTTP to a host that is not loopback.
	ErrInsecure = errors.New("refusing plain http: use https (plain http is allowed only on a loopback address)")
	// ErrAuth: the server wants a (new) sign-in (HTTP 401).
	ErrAuth = errors.New("the server refused the credentials: sign in again")
	// ErrForbidden: the server refused access (HTTP 403), often a missing entitlement.
	ErrForbidden = errors.New("the server refused access to this file")
)

// ChecksumError: the bytes received do not hash to the expected SHA-256.
// No file is left behind.
type ChecksumError struct {
	URL, Expected, Actual string
	// Changed means the remote file changed while it was being fetched:
	// the server now serves other content than the catalog lists.
	Changed bool
}

func (e *ChecksumError) Error() string {
	if e.Changed {
		return fmt.Sprintf("%s: the file changed on the server during the download and no longer matches its checksum (want sha256 %s, got %s)", e.URL, e.Expected, e.Actual)
	}
	return fmt.Sprintf("%s: checksum mismatch: want sha256 %s, got %s; the download was discarded", e.URL, e.Expected, e.Actual)
}

// HTTPError is a response that ends the transfer.
type HTTPError struct {
	URL    string
	Status int
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s: server answered %d %s", e.URL, e.Status, http.StatusText(e.Status))
	switch e.Status {
	case http.StatusUnauthorized:
		msg += ": sign in again, then run the same command: the download resumes"
	case http.StatusForbidden:
		msg += ": your account is not entitled to this file (ask your contract manager for the download benefit)"
	}
	return msg
}

// Is lets errors.Is match ErrAuth and ErrForbidden.
func (e *HTTPError) Is(target error) bool {
	return (target == ErrAuth && e.Status == http.StatusUnauthorized) || (target == ErrForbidden && e.Status == http.StatusForbidden)
}

// SpaceError: the destination's volume has too little free space.
type SpaceError struct {
	Path       string
	Need, Free uint64
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("not enough free space for %s: need %d bytes more, %d free", e.Path, e.Need, e.Free)
}

// Is lets errors.Is match ErrNoSpace.
func (e *SpaceError) Is(target error) bool { return target == ErrNoSpace }

// isSHA256Hex says whether s is 64 hex digits. Written out, as
// getterForced: no pattern compiled at package init, which every run of
// the assistant pays.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// getterForced says whether raw is go-getter's forced form
// ("s3::https://..."): letters and digits, then "::" (told apart from an
// IPv6 address in a URL, "https://[fe80::1]/...", which also holds "::").
func getterForced(raw string) bool {
	i := 0
	for i < len(raw) && (raw[i] >= 'a' && raw[i] <= 'z' || raw[i] >= 'A' && raw[i] <= 'Z' || raw[i] >= '0' && raw[i] <= '9') {
		i++
	}
	return i > 0 && strings.HasPrefix(raw[i:], "::")
}

// Fetch brings req.URL to req.Dest, verified. A Dest that already holds the
// right bytes, or a cached copy, costs no transfer.
func (c *Client) Fetch(ctx context.Context, req Request) (*Result, error) {
	if !isSHA256Hex(req.SHA256) {
		return nil, fmt.Errorf("fetch %s: sha256 %q: want 64 hex digits", req.URL, req.SHA256)
	}
	req.SHA256 = strings.ToLower(req.SHA256)
	if req.Dest == "" {
		return nil, fmt.Errorf("fetch %s: no destination", req.URL)
	}
	shown := Redact(req.URL)
	// Before any byte: a folder cannot be renamed over.
	if st, err := os.Stat(req.Dest); (err == nil && st.IsDir()) || os.IsPathSeparator(req.Dest[len(req.Dest)-1]) {
		return nil, fmt.Errorf("fetch %s: %s: %w", shown, req.Dest, ErrDestIsFolder)
	}
	if err := os.MkdirAll(filepath.Dir(req.Dest), 0o755); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", shown, err)
	}
	lock, err := lockDest(ctx, req.Dest, func() {
		c.progress(Progress{URL: req.URL, Dest: req.Dest, Event: EventWait, Message: "waiting for another transfer to this file to end"})
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, &InterruptedError{URL: shown, Part: req.Dest + ".part", Err: ctx.Err()}
		}
		return nil, fmt.Errorf("fetch %s: %w", shown, err)
	}
	defer lock.Release()

	res := &Result{Path: req.Dest, SHA256: req.SHA256}
	if st, ok := verifiedFile(req.Dest, req.SHA256); ok {
		res.Size = st.Size()
		c.cachePut(req.Dest, st, req.SHA256)
		return res, nil
	}
	if size, ok, err := c.cacheGet(req.SHA256, req.Dest); err != nil {
		return nil, fmt.Errorf("fetch %s: cache: %w", shown, err)
	} else if ok {
		res.Size, res.FromCache = size, true
		c.progress(Progress{URL: req.URL, Dest: req.Dest, Done: size, Total: size, Event: EventDone})
		return res, nil
	}

	t := &transfer{client: c, req: req, res: res, part: req.Dest + ".part"}
	if err := t.run(ctx); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, &InterruptedError{URL: shown, Part: t.part, Kept: fileSize(t.part), Err: ctx.Err()}
		}
		return nil, err
	}
	c.cachePut(req.Dest, t.promoted, req.SHA256)
	return res, nil
}

// run fetches from the source the URL names: http and https, and local
// files, here; anything else through fetchOther (go-getter, in a build
// with the tag cloudsources).
func (t *transfer) run(ctx context.Context) error {
	raw := t.req.URL
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	shown := redact(u)
	switch {
	case getterForced(raw):
		// go-getter's forced form ("s3::https://..."): its getters only.
		err = t.fetchOther(ctx)
	case u.Scheme == "http" || u.Scheme == "https":
		if err := checkAddress(u); err != nil {
			return fmt.Errorf("fetch %s: %w", shown, err)
		}
		if err := checkSecure(u); err != nil {
			return fmt.Errorf("fetch %s: %w", shown, err)
		}
		err = t.fetchHTTP(ctx, u)
	case u.Scheme == "file":
		err = t.fetchFile(ctx, fileURLPath(u))
	case u.Scheme == "" && filepath.IsAbs(raw), runtime.GOOS == "windows" && len(u.Scheme) == 1 && filepath.IsAbs(raw):
		err = t.fetchFile(ctx, raw) // a path, as go-getter's file detector reads one
	default:
		err = t.fetchOther(ctx)
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			return fmt.Errorf("fetch %s: %w", shown, ctx.Err())
		}
		var ce *ChecksumError
		var he *HTTPError
		var se *SpaceError
		var ee *EncodingError
		var te *TLSError
		var pe *ProxyAuthError
		var we *WriteError
		var ue *UnsupportedSourceError
		if errors.As(err, &ce) || errors.As(err, &he) || errors.As(err, &se) || errors.As(err, &ee) ||
			errors.As(err, &te) || errors.As(err, &pe) || errors.As(err, &we) || errors.As(err, &ue) || errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("fetch %s: %w", shown, err)
	}
	return nil
}

// fileURLPath is the local path of a file URL ("file:///C:/x" is C:/x).
func fileURLPath(u *url.URL) string {
	p := u.Path
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.FromSlash(p)
}

// checkSecure refuses plain HTTP except to a loopback address.
func checkSecure(u *url.URL) error {
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" {
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return ErrInsecure
	}
	return fmt.Errorf("unsupported scheme %q", u.Scheme)
}

// verifiedFile reports whether path holds the expected bytes, with the
// description of the very file that was hashed (to link it into the cache
// only if it is still that file).
func verifiedFile(path, sum string) (os.FileInfo, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil || hex.EncodeToString(h.Sum(nil)) != sum {
		return nil, false
	}
	st, err := f.Stat()
	if err != nil || st.Size() != n || !st.Mode().IsRegular() {
		return nil, false
	}
	return st, true
}

// unchanged reports whether path is still the file described by st, as it
// was when hashed: same file, size and modification time.
func unchanged(path string, st os.FileInfo) bool {
	now, err := os.Lstat(path)
	return err == nil && st != nil && os.SameFile(now, st) && now.Size() == st.Size() && now.ModTime().Equal(st.ModTime())
}

func (c *Client) progress(p Progress) {
	if c.opt.Progress != nil {
		c.opt.Progress(p)
	}
}
