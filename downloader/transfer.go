package downloader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	getter "github.com/hashicorp/go-getter"
	"github.com/shirou/gopsutil/v3/disk"
)

// transfer is one Fetch in progress.
type transfer struct {
	client *Client
	req    Request
	res    *Result
	part   string
	meter  meter
}

// partMeta is kept beside a partial file (X.part.meta) so a later run,
// also after a crash, knows which file the bytes belong to and can resume
// with If-Range.
type partMeta struct {
	URL          string `json:"url"`
	SHA256       string `json:"sha256"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Total        int64  `json:"total,omitempty"`
}

func (m *partMeta) validator() string {
	if m == nil {
		return ""
	}
	// If-Range needs a strong validator; a weak ETag cannot be used.
	if m.ETag != "" && !strings.HasPrefix(m.ETag, "W/") {
		return m.ETag
	}
	return m.LastModified
}

func (t *transfer) metaPath() string { return t.part + ".meta" }

// loadMeta returns the partial file's description when it belongs to this
// request; otherwise the partial file is removed.
func (t *transfer) loadMeta() *partMeta {
	var m partMeta
	b, err := os.ReadFile(t.metaPath())
	if err == nil && json.Unmarshal(b, &m) == nil && m.URL == t.req.URL && m.SHA256 == t.req.SHA256 {
		return &m
	}
	t.discard()
	return nil
}

func (t *transfer) saveMeta(m *partMeta) error {
	b, _ := json.Marshal(m)
	tmp := t.metaPath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, t.metaPath())
}

// discard removes the partial file and its description.
func (t *transfer) discard() { RemovePartial(t.req.Dest) }

// RemovePartial deletes what a stopped transfer to dest kept for resuming
// (dest.part and dest.part.meta): a cancel, as opposed to a pause. A
// missing file is not an error.
func RemovePartial(dest string) error {
	var errs []error
	for _, p := range []string{dest + ".part", dest + ".part.meta"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// transientError is a failure worth another attempt.
type transientError struct {
	err        error
	retryAfter time.Duration
}

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

func transient(err error) error { return &transientError{err: err} }

// httpGetter is go-getter's Getter for http and https: resumable with
// Range and If-Range, appending only to a 206, hashing while streaming.
type httpGetter struct {
	t   *transfer
	ctx context.Context
}

func (g *httpGetter) SetClient(c *getter.Client) { g.ctx = c.Ctx }

func (g *httpGetter) ClientMode(*url.URL) (getter.ClientMode, error) {
	return getter.ClientModeFile, nil
}

func (g *httpGetter) Get(string, *url.URL) error {
	return errors.New("downloading a folder over http is not supported")
}

func (g *httpGetter) GetFile(dst string, u *url.URL) error {
	ctx := g.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return g.t.fetchHTTP(ctx, u)
}

func (t *transfer) fetchHTTP(ctx context.Context, u *url.URL) error {
	opt := t.client.opt
	meta := t.loadMeta()
	changed, cleanRetry := false, false
	delay := opt.Backoff
	for attempt := 1; ; attempt++ {
		t.res.Attempts = attempt
		sum, resumed, err := t.attempt(ctx, u, &meta, &changed)
		if err == nil {
			if sum == t.req.SHA256 {
				return t.promote()
			}
			t.discard()
			meta = nil
			if resumed && !cleanRetry && attempt < opt.MaxAttempts {
				// The bytes kept from before may be what is wrong: one
				// clean start before giving up.
				cleanRetry = true
				t.res.Restarts++
				continue
			}
			return &ChecksumError{URL: redact(u), Expected: t.req.SHA256, Actual: sum, Changed: changed}
		}
		var te *transientError
		if !errors.As(err, &te) || attempt >= opt.MaxAttempts || ctx.Err() != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.As(err, &te) {
				return fmt.Errorf("giving up after %d attempts: %w", attempt, te.err)
			}
			return err
		}
		wait := delay
		if te.retryAfter > 0 {
			wait = min(te.retryAfter, time.Minute)
		}
		t.client.progress(Progress{URL: t.req.URL, Dest: t.req.Dest, Event: EventRetry, Message: te.err.Error(), Total: t.req.Size})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		delay = min(delay*2, opt.MaxBackoff)
	}
}

// attempt makes one request and streams its body into the partial file.
// It returns the SHA-256 of the whole partial file once the body is
// complete, and whether bytes from before were kept.
func (t *transfer) attempt(ctx context.Context, u *url.URL, metaP **partMeta, changed *bool) (string, bool, error) {
	meta := *metaP
	off := fileSize(t.part)
	if off > 0 && (meta.validator() == "" || (t.req.Size > 0 && off > t.req.Size)) {
		t.discard() // cannot prove the bytes belong to the current file
		off, meta, *metaP = 0, nil, nil
	}
	h := sha256.New()
	if off > 0 {
		if err := hashFile(h, t.part, off); err != nil {
			return "", false, err
		}
		if t.req.Size > 0 && off == t.req.Size {
			return hex.EncodeToString(h.Sum(nil)), true, nil // complete already
		}
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", false, err
	}
	for k, vs := range t.req.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", "Onramp-assistant")
	req.Header.Set("Accept-Encoding", "identity")
	if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
		req.Header.Set("If-Range", meta.validator())
	}
	resp, err := t.client.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", false, ctx.Err()
		}
		return "", false, transient(fmt.Errorf("request: %w", err))
	}
	defer resp.Body.Close()

	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusPartialContent && off > 0:
		start, end, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != off {
			t.discard()
			*metaP = nil
			return "", false, transient(fmt.Errorf("server sent range %q for a request from byte %d", resp.Header.Get("Content-Range"), off))
		}
		total = size
		if size < 0 {
			total = end + 1
		}
		t.res.Resumed = true
		t.emit(EventResume, off, total, "")
	case resp.StatusCode == http.StatusOK:
		if off > 0 {
			// The server ignored the range or, through If-Range, said the
			// file is not the one the kept bytes came from.
			if meta != nil && ((meta.ETag != "" && etag != "" && meta.ETag != etag) || (meta.LastModified != "" && lastMod != "" && meta.LastModified != lastMod)) {
				*changed = true
				t.res.ChangedOnServer = true
				t.emit(EventRestart, 0, resp.ContentLength, "the file changed on the server: starting over")
			} else {
				t.emit(EventRestart, 0, resp.ContentLength, "the server does not resume transfers: starting over")
			}
			t.res.Restarts++
			if err := os.Truncate(t.part, 0); err != nil {
				return "", false, err
			}
			off = 0
			h.Reset()
		}
		total = resp.ContentLength
		t.emit(EventStart, 0, total, "")
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		t.discard()
		*metaP = nil
		return "", false, transient(errors.New("server cannot resume from the kept bytes (416): starting over"))
	default:
		return "", false, t.statusError(u, resp)
	}
	if total < 0 && t.req.Size > 0 {
		total = t.req.Size
	}
	if t.req.Size > 0 && total >= 0 && total != t.req.Size {
		t.discard()
		*metaP = nil
		return "", false, &ChecksumError{URL: redact(u), Expected: t.req.SHA256,
			Actual: fmt.Sprintf("(a file of %d bytes, where %d are expected)", total, t.req.Size), Changed: *changed}
	}
	if err := checkSpace(t.part, total-off); err != nil {
		return "", false, err
	}
	m := &partMeta{URL: t.req.URL, SHA256: t.req.SHA256, ETag: etag, LastModified: lastMod, Total: total}
	if err := t.saveMeta(m); err != nil {
		return "", false, err
	}
	*metaP = m

	f, err := os.OpenFile(t.part, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return "", false, err
	}
	n, copyErr := t.copy(ctx, f, h, resp.Body, off, total)
	closeErr := f.Close()
	t.res.Transferred += n
	switch {
	case copyErr != nil && ctx.Err() != nil:
		return "", false, ctx.Err()
	case copyErr != nil:
		return "", false, transient(fmt.Errorf("connection lost after %d bytes: %w", off+n, copyErr))
	case closeErr != nil:
		return "", false, closeErr
	case total >= 0 && off+n < total:
		return "", false, transient(fmt.Errorf("the server closed the connection after %d of %d bytes", off+n, total))
	case total >= 0 && off+n > total:
		t.discard()
		*metaP = nil
		return "", false, transient(fmt.Errorf("the server sent %d bytes, more than the %d announced", off+n, total))
	}
	t.res.Size = off + n
	return hex.EncodeToString(h.Sum(nil)), off > 0, nil
}

// copy streams body into the file and the hash in one pass, keeping to the
// rate limit and reporting progress.
func (t *transfer) copy(ctx context.Context, f *os.File, h hash.Hash, body io.Reader, off, total int64) (int64, error) {
	chunk := 256 << 10
	if rate := t.client.opt.RateLimit; rate > 0 {
		// Small steps under a limit keep the rate and the progress smooth.
		chunk = int(min(max(rate/10, 4<<10), int64(chunk)))
	}
	buf := make([]byte, chunk)
	var n int64
	for {
		k, rerr := body.Read(buf)
		if k > 0 {
			if _, err := f.Write(buf[:k]); err != nil {
				return n, fmt.Errorf("writing %s: %w", t.part, err)
			}
			h.Write(buf[:k])
			n += int64(k)
			t.meter.add(int64(k))
			t.emit(EventProgress, off+n, total, "")
			if err := t.client.limiter.wait(ctx, t.client.opt.RateLimit, k); err != nil {
				return n, err
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

func (t *transfer) statusError(u *url.URL, resp *http.Response) error {
	he := &HTTPError{URL: redact(u), Status: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return &transientError{err: he, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return he // keep the partial file: after signing in, the transfer resumes
	}
	t.discard()
	return he
}

// promote makes the verified partial file the destination.
func (t *transfer) promote() error {
	f, err := os.OpenFile(t.part, os.O_RDWR, 0)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		return err
	}
	if err := os.Rename(t.part, t.req.Dest); err != nil {
		return err
	}
	os.Remove(t.metaPath())
	t.emit(EventDone, t.res.Size, t.res.Size, "")
	return nil
}

// verifyingGetter wraps go-getter's own getters (file, s3, gcs): they write
// the partial file, which is then hashed before it is promoted.
type verifyingGetter struct {
	t     *transfer
	inner getter.Getter
}

func (g *verifyingGetter) SetClient(c *getter.Client) { g.inner.SetClient(c) }

func (g *verifyingGetter) ClientMode(u *url.URL) (getter.ClientMode, error) {
	return getter.ClientModeFile, nil
}

func (g *verifyingGetter) Get(string, *url.URL) error {
	return errors.New("downloading a folder is not supported")
}

func (g *verifyingGetter) GetFile(dst string, u *url.URL) error {
	t := g.t
	t.discard()
	t.emit(EventStart, 0, t.req.Size, "")
	if err := g.inner.GetFile(dst, u); err != nil {
		t.discard()
		return err
	}
	h := sha256.New()
	size := fileSize(t.part)
	if err := hashFile(h, t.part, size); err != nil {
		t.discard()
		return err
	}
	t.res.Size, t.res.Attempts, t.res.Transferred = size, 1, size
	if sum := hex.EncodeToString(h.Sum(nil)); sum != t.req.SHA256 {
		t.discard()
		return &ChecksumError{URL: redact(u), Expected: t.req.SHA256, Actual: sum}
	}
	return t.promote()
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func hashFile(h hash.Hash, path string, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(h, f, n)
	return err
}

// parseContentRange reads "bytes 100-199/1000" (size -1 for "*").
func parseContentRange(s string) (start, end, size int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, sz, found := strings.Cut(rest, "/")
	a, b, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(a, 10, 64)
	end, err2 = strconv.ParseInt(b, 10, 64)
	size = -1
	if sz != "*" {
		size, err3 = strconv.ParseInt(sz, 10, 64)
	}
	return start, end, size, err1 == nil && err2 == nil && err3 == nil && start <= end
}

// parseRetryAfter reads seconds or an HTTP date.
func parseRetryAfter(s string) time.Duration {
	if s == "" {
		return 0
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(s); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// checkSpace refuses to start when the volume cannot hold what is left.
func checkSpace(part string, need int64) error {
	if need <= 0 {
		return nil
	}
	u, err := disk.Usage(filepath.Dir(part))
	if err != nil {
		return nil // cannot tell: the write will say
	}
	if u.Free < uint64(need) {
		return &SpaceError{Path: part, Need: uint64(need), Free: u.Free}
	}
	return nil
}

// Redact hides credentials (user info, token-like query values) in a URL
// before it goes into an error, a log or a progress event.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return redact(u)
}

func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User("REDACTED")
	}
	q := c.Query()
	for k := range q {
		l := strings.ToLower(k)
		if strings.Contains(l, "token") || strings.Contains(l, "sig") || strings.Contains(l, "key") || strings.Contains(l, "secret") || strings.Contains(l, "credential") {
			q.Set(k, "REDACTED")
		}
	}
	c.RawQuery = q.Encode()
	return c.String()
}
