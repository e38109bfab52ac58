package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
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
		Progress:     newProgressPrinter(e, false).report,
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

// progressPrinter shows transfers: NDJSON events on stdout with --json, a
// progress bar on stderr when it is a terminal, nothing otherwise.
type progressPrinter struct {
	e        *env
	mu       sync.Mutex
	terminal bool
	silent   bool // no plan printed (the result and errors only)
}

func newProgressPrinter(e *env, silent bool) *progressPrinter {
	p := &progressPrinter{e: e, silent: silent}
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
		line := map[string]any{"event": ev.Event, "url": downloader.Redact(ev.URL), "dest": ev.Dest, "done": ev.Done,
			"total": ev.Total, "rate": int64(ev.Rate), "eta_seconds": int64(ev.ETA.Seconds()), "message": ev.Message}
		if ev.Attempt > 0 {
			line["attempt"], line["max_attempts"] = ev.Attempt, ev.MaxAttempts
		}
		writeNDJSON(p.e.stdout, line)
	case p.terminal:
		drawBar(p.e.stderr, ev)
	case noticeEvent(ev.Event):
		fmt.Fprintf(p.e.stderr, "%s\n", noticeText(ev))
	}
}

// noticeEvent tells the events printed as a line of their own rather
// than as the bar.
func noticeEvent(e downloader.Event) bool {
	switch e {
	case downloader.EventRetry, downloader.EventStall, downloader.EventRestart, downloader.EventWait:
		return true
	}
	return false
}

// noticeText is a retry, stall, restart or wait as a line: what happened
// and, for a retry, which attempt comes next.
func noticeText(ev downloader.Progress) string {
	text := termSafe(filepath.Base(ev.Dest)) + ": "
	switch {
	case ev.Message != "":
		text += termSafe(ev.Message)
	case ev.Event == downloader.EventStall:
		text += "stalled, no data"
	default:
		text += string(ev.Event)
	}
	if ev.Attempt > 0 && ev.MaxAttempts > 0 {
		text += fmt.Sprintf("; retrying, attempt %d of %d…", ev.Attempt, ev.MaxAttempts)
	}
	return text
}

// event prints the core's progress: transfers as report does, the
// install's plan before anything changes, its steps as NDJSON with --json.
func (p *progressPrinter) event(ev setup.Event) {
	switch {
	case ev.Transfer != nil:
		p.report(*ev.Transfer)
		return
	case ev.Step == setup.StepCheck || ev.Step == setup.StepDownload:
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.e.json && ev.Step == setup.StepPlan:
		writeNDJSON(p.e.stdout, map[string]any{"event": "plan", "plan": ev.Plan})
	case p.e.json:
		writeNDJSON(p.e.stdout, map[string]any{"event": ev.Step, "files": ev.Done, "total": ev.Total, "bytes": ev.Bytes})
	case ev.Step == setup.StepPlan && !p.silent:
		printPlan(p.e, ev.Plan)
	}
}

func drawBar(w io.Writer, ev downloader.Progress) {
	name := filepath.Base(ev.Dest)
	switch ev.Event {
	case downloader.EventRetry, downloader.EventStall, downloader.EventRestart, downloader.EventWait:
		fmt.Fprintf(w, "\r\033[K%s\n", noticeText(ev))
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
