package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/setup"
)

// transferFlags are the options every command that downloads shares.
type transferFlags struct {
	limitRate string
	caBundle  string
	cacheDir  string
	sync      bool
	stall     time.Duration
}

func (f *transferFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.limitRate, "limit-rate", "", "cap the download rate (`RATE`: 500K, 2M, 1G bytes per second)")
	fs.StringVar(&f.caBundle, "ca-bundle", "", "extra root certificates (PEM `FILE`), for TLS inspection proxies")
	fs.StringVar(&f.cacheDir, "cache", "", "package cache `folder` (default: the user's cache folder)")
	fs.DurationVar(&f.stall, "stall-timeout", downloader.DefaultStallTimeout, "give up on a connection that sends no byte for this `DURATION` (30s, 2m) and resume with a new one")
	fs.BoolVar(&f.sync, "sync", false, "put each file on disk before it takes its name (for a file handed to other programs at once; slower where the network is faster than the disk)")
}

// stallTimeout is --stall-timeout, checked.
func (f *transferFlags) stallTimeout() (time.Duration, error) {
	if f.stall < time.Second || f.stall > 24*time.Hour {
		return 0, usagef("--stall-timeout %s: want a duration from 1s to 24h, such as 30s or 2m", f.stall)
	}
	return f.stall, nil
}

func (f *transferFlags) client(e *env) (*downloader.Client, error) {
	rate, err := parseRate(f.limitRate)
	if err != nil {
		return nil, usagef("--limit-rate: %v", err)
	}
	stall, err := f.stallTimeout()
	if err != nil {
		return nil, err
	}
	cache := f.cacheDir
	if cache == "" {
		cache = filepath.Join(filepath.Dir(setup.DefaultCacheDir()), "cache")
	}
	return downloader.New(downloader.Options{
		CacheDir:     cache,
		RateLimit:    rate,
		CABundle:     f.caBundle,
		Durable:      f.sync,
		StallTimeout: stall,
		Progress:     e.out.transfer,
	})
}

// rateSyntax is a decimal number and an optional binary unit: no sign,
// exponent, hex, Inf or NaN, which strconv.ParseFloat would take.
// Compiled when first used: a pattern compiled at package init costs
// every run of the assistant.
var rateSyntax = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9]{1,15}(?:\.[0-9]{1,15})?)([KMG]?)$`)
})

const maxRate = 1 << 40 // 1024G per second: more is a typo

// parseRate reads "500K", "2M", "1.5G" or a number of bytes per second
// ("" is no limit). A rate below 1 byte per second once its unit is
// applied is refused, not taken as no limit.
func parseRate(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	m := rateSyntax().FindStringSubmatch(strings.ToUpper(s))
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
		nargs:  [2]int{1, 1},
		stream: true,
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
			e.out.result(jsonout.FetchResult{Event: jsonout.EventResult, Result: res}, func(w io.Writer) {
				fmt.Fprintf(w, "%s: verified (sha256 %s, %s)%s\n", res.Path, res.SHA256, catalog.ByteSize(res.Size), describeResult(res))
			})
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
