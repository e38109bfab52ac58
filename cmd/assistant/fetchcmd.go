package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
)

// transferFlags are the options every command that downloads shares.
type transferFlags struct {
	limitRate string
	caBundle  string
	cacheDir  string
}

func (f *transferFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.limitRate, "limit-rate", "", "cap the download rate (`RATE`: 500K, 2M, 1G bytes per second)")
	fs.StringVar(&f.caBundle, "ca-bundle", "", "extra root certificates (PEM `FILE`), for TLS inspection proxies")
	fs.StringVar(&f.cacheDir, "cache", "", "package cache `folder` (default: the user's cache folder)")
}

func (f *transferFlags) client(e *env) (*downloader.Client, error) {
	rate, err := parseRate(f.limitRate)
	if err != nil {
		return nil, usagef("--limit-rate: %v", err)
	}
	cache := f.cacheDir
	if cache == "" {
		cache = filepath.Join(filepath.Dir(defaultCache()), "cache")
	}
	return downloader.New(downloader.Options{
		CacheDir:  cache,
		RateLimit: rate,
		CABundle:  f.caBundle,
		Progress:  newProgressPrinter(e).report,
	})
}

// rateSyntax is a decimal number and an optional binary unit: no sign,
// exponent, hex, Inf or NaN, which strconv.ParseFloat would take.
var rateSyntax = regexp.MustCompile(`^([0-9]{1,15}(?:\.[0-9]{1,15})?)([KMG]?)$`)

const maxRate = 1 << 40 // 1024G per second: more is a typo

// parseRate reads "500K", "2M", "1.5G" or a number of bytes per second
// ("" is no limit). A rate below 1 byte per second once its unit is
// applied is refused, not taken as no limit.
func parseRate(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	m := rateSyntax.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return 0, fmt.Errorf("want a rate in bytes per second such as 500K, 2M or 1.5G, found %q", s)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("want a rate in bytes per second such as 500K, 2M or 1.5G, found %q", s)
	}
	b := v * map[string]float64{"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m[2]]
	switch {
	case b < 1:
		return 0, fmt.Errorf("%q is less than 1 byte per second: want at least 1 byte per second (leave --limit-rate out for no limit)", s)
	case b > maxRate:
		return 0, fmt.Errorf("%q is more than 1024G per second", s)
	}
	return int64(b), nil
}

func fetchCommand() *command {
	var sum, out string
	var size int64
	var tf transferFlags
	return &command{
		name:    "fetch",
		args:    "URL --sha256 HEX --out FILE",
		summary: "download one file, verified and resumable",
		help: `Downloads URL to FILE.part, hashing while it streams, and renames it to FILE
only when its SHA-256 matches. An interrupted transfer (network cut, Ctrl-C,
a killed process) resumes on the next run. Plain http is refused except on
a loopback address; proxies come from HTTPS_PROXY and NO_PROXY.
A second fetch to the same FILE waits for the first, then finds it done.
Exit 4 when the checksum does not match (nothing is left behind); exit 130
when interrupted (FILE.part is kept for the next run).`,
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&sum, "sha256", "", "expected SHA-256 (`HEX`); required")
			fs.StringVar(&out, "out", "", "destination `FILE`; required")
			fs.Int64Var(&size, "size", 0, "expected size in `bytes` (optional)")
			tf.register(fs)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if sum == "" || out == "" {
				return usagef("--sha256 HEX and --out FILE are required")
			}
			// Refused before any byte: a name guessed from the URL (often
			// opaque, signed, with a query) would surprise a script.
			if st, err := os.Stat(out); (err == nil && st.IsDir()) || strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
				return usagef("--out %s is a folder: name the file to write, for example --out %s", out, filepath.Join(out, urlBase(args[0])))
			}
			c, err := tf.client(e)
			if err != nil {
				return err
			}
			res, err := c.Fetch(ctx, downloader.Request{URL: args[0], SHA256: sum, Size: size, Dest: out})
			if err != nil {
				return err
			}
			if e.json {
				writeNDJSON(e.stdout, map[string]any{"event": "result", "result": res})
			} else {
				fmt.Fprintf(e.stdout, "%s: verified (sha256 %s, %s)%s\n", res.Path, res.SHA256, catalog.ByteSize(res.Size), describeResult(res))
			}
			return nil
		},
	}
}

// urlBase is the last element of a URL's path, or "FILE" when it has none
// worth suggesting.
func urlBase(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "FILE"
	}
	b := path.Base(u.Path)
	if b == "/" || b == "." || b == "" || strings.ContainsAny(b, `\:`) {
		return "FILE"
	}
	return b
}

func describeResult(r *downloader.Result) string {
	switch {
	case r.FromCache:
		return ", from the cache"
	case r.Transferred == 0:
		return ", already there"
	case r.Resumed:
		return fmt.Sprintf(", resumed: %s transferred", catalog.ByteSize(r.Transferred))
	}
	return ""
}

func downloadCommand() *command {
	var product, platform, outDir string
	var src catalogSource
	var tf transferFlags
	return &command{
		name:    "download",
		args:    "--product ID[@VER] [--platform OS/ARCH]",
		summary: "download a product's package from the signed catalog",
		help: `Takes the package's URL, size and SHA-256 from the signed catalog and fetches
it as 'fetch' does. Relative package URLs are resolved against --base (with
--demo, against the embedded demo package server).`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "product `ID` or ID@VERSION; required")
			fs.StringVar(&platform, "platform", string(catalog.CurrentPlatform()), "package for `OS/ARCH`")
			fs.StringVar(&outDir, "out", "", "download `folder` (default: the user's cache folder)")
			src.register(fs, true)
			tf.register(fs)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if product == "" {
				return usagef("--product ID[@VER] is required")
			}
			plat, err := catalog.ParsePlatform(platform)
			if err != nil {
				return usagef("--platform: %v", err)
			}
			c, base, stop, err := src.packages(e)
			if err != nil {
				return err
			}
			defer stop()
			p, r, err := c.Find(product)
			if err != nil {
				return err
			}
			pkg, ok := r.Packages[plat]
			if !ok {
				return fmt.Errorf("%s %s has no package for %s", p.Name, r.Version, plat)
			}
			u, err := resolvePackageURL(base, pkg.URL)
			if err != nil {
				return err
			}
			if outDir == "" {
				outDir = defaultCache()
			}
			client, err := tf.client(e)
			if err != nil {
				return err
			}
			dest := filepath.Join(outDir, filepath.Base(pkg.URL))
			res, err := client.Fetch(ctx, downloader.Request{URL: u, SHA256: pkg.SHA256, Size: pkg.Size, Dest: dest})
			if err != nil {
				return err
			}
			if e.json {
				writeNDJSON(e.stdout, map[string]any{"event": "result", "product": p.ID, "version": r.Version, "platform": plat, "result": res})
			} else {
				fmt.Fprintf(e.stdout, "%s %s for %s: %s verified (%s)%s\n", p.Name, r.Version, plat, res.Path, catalog.ByteSize(res.Size), describeResult(res))
			}
			return nil
		},
	}
}

// resolvePackageURL makes a catalog's relative package URL absolute.
func resolvePackageURL(base, ref string) (string, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("package URL %q: %w", ref, err)
	}
	if r.IsAbs() {
		return ref, nil
	}
	if base == "" {
		return "", usagef("the catalog's package URL %q is relative: pass --base URL (the address the catalog came from)", ref)
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return "", usagef("--base %q: want an absolute URL", base)
	}
	return b.ResolveReference(r).String(), nil
}

// demoPackageServer serves the demo packages on loopback, with the Range,
// ETag and Last-Modified a real package store has. The account service
// (portal) takes this over when it lands.
type demoPackageServer struct {
	URL string
	srv *http.Server
}

func startDemoPackageServer() (*demoPackageServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo package server: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+assets.DemoPackagePath+"{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		b, ok := assets.DemoPackage(name)
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", etagOf(b))
		http.ServeContent(w, r, name, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), strings.NewReader(string(b)))
	})
	s := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln)
	return &demoPackageServer{URL: "http://" + ln.Addr().String(), srv: s}, nil
}

func (d *demoPackageServer) Close() { d.srv.Close() }

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// progressPrinter shows transfers: NDJSON events on stdout with --json, a
// progress bar on stderr when it is a terminal, nothing otherwise.
type progressPrinter struct {
	e        *env
	mu       sync.Mutex
	terminal bool
}

func newProgressPrinter(e *env) *progressPrinter {
	p := &progressPrinter{e: e}
	if f, ok := e.stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progressPrinter) report(ev downloader.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.e.json:
		writeNDJSON(p.e.stdout, map[string]any{"event": ev.Event, "url": downloader.Redact(ev.URL), "dest": ev.Dest, "done": ev.Done,
			"total": ev.Total, "rate": int64(ev.Rate), "eta_seconds": int64(ev.ETA.Seconds()), "message": ev.Message})
	case p.terminal:
		drawBar(p.e.stderr, ev)
	case ev.Event == downloader.EventRetry || ev.Event == downloader.EventRestart || ev.Event == downloader.EventWait:
		fmt.Fprintf(p.e.stderr, "%s: %s\n", termSafe(filepath.Base(ev.Dest)), termSafe(ev.Message))
	}
}

func drawBar(w io.Writer, ev downloader.Progress) {
	name := filepath.Base(ev.Dest)
	switch ev.Event {
	case downloader.EventRetry, downloader.EventRestart, downloader.EventWait:
		fmt.Fprintf(w, "\r\033[K%s: %s\n", termSafe(name), termSafe(ev.Message))
		return
	case downloader.EventDone:
		fmt.Fprintf(w, "\r\033[K%s: %s done\n", termSafe(name), catalog.ByteSize(ev.Done))
		return
	}
	const width = 30
	bar, pct := strings.Repeat(" ", width), ""
	if ev.Total > 0 {
		filled := int(float64(width) * float64(ev.Done) / float64(ev.Total))
		bar = strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
		pct = fmt.Sprintf("%3d%% ", ev.Done*100/ev.Total)
	}
	rate := "" // 0 until the rate can be measured: show none rather than 0 B/s
	if ev.Rate > 0 {
		rate = fmt.Sprintf(", %s/s", catalog.ByteSize(int64(ev.Rate)))
	}
	if ev.ETA > 0 {
		rate += " ETA " + ev.ETA.String()
	}
	fmt.Fprintf(w, "\r\033[K%s [%s] %s%s of %s%s", termSafe(name), bar, pct, catalog.ByteSize(ev.Done), catalog.ByteSize(ev.Total), rate)
}

func writeNDJSON(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	w.Write(append(b, '\n'))
}

// downloadErrorCode maps transfer errors to the contract's exit codes.
func downloadErrorCode(err error) (int, bool) {
	var ce *downloader.ChecksumError
	switch {
	case errors.As(err, &ce):
		return exitIntegrity, true
	case errors.Is(err, downloader.ErrAuth):
		return exitAuth, true
	case errors.Is(err, downloader.ErrForbidden):
		return exitEntitlement, true
	}
	return 0, false
}

// downloadHint says what to do about a transfer failure, in the CLI's
// words and flags; "" when the message says enough.
func downloadHint(err error) string {
	var ie *downloader.InterruptedError
	var hn x509.HostnameError
	var te *downloader.TLSError
	var pe *downloader.ProxyAuthError
	var ee *downloader.EncodingError
	switch {
	case errors.As(err, &ie):
		return "Run the same command again: the download resumes from where it stopped."
	case errors.As(err, &hn):
		return "The certificate is for another host name: check the URL's host. Behind a TLS inspection proxy, pass its root certificate with --ca-bundle FILE."
	case errors.As(err, &te):
		return "If your network inspects TLS (a corporate proxy), pass its root certificate with --ca-bundle FILE (PEM). Otherwise this machine does not trust the server: do not work around it."
	case errors.As(err, &pe):
		return "Put the proxy's user and password in HTTPS_PROXY (http://USER:PASSWORD@HOST:PORT), or ask IT for proxy access, then run the same command again."
	case errors.Is(err, downloader.ErrNoSpace):
		return "Free space on that volume (or choose another destination), then run the same command again: the download resumes from where it stopped."
	case errors.As(err, &ee):
		return "The server is misconfigured: report it to the publisher. Nothing was kept."
	case errors.Is(err, downloader.ErrTooManyRedirects):
		return "The server redirects in a loop: check the URL, or report it to the publisher."
	case errors.Is(err, downloader.ErrBusy):
		return "Another transfer to this file is running: wait for it to end."
	}
	return ""
}
