package downloader

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
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
	"syscall"
	"time"

	"github.com/shirou/gopsutil/v3/disk"

	"onramp.dev/onramp/internal/atomicfile"
)

// transfer is one Fetch in progress. Its Fetch holds Dest's lock, so no
// other transfer touches Dest, its partial file or its description.
type transfer struct {
	client *Client
	req    Request
	res    *Result
	part   string
	meter  meter
	// encoding is the last response's Content-Encoding, "" for none.
	encoding string
	// promoted describes the file renamed to Dest, as it was hashed.
	promoted os.FileInfo
	// meta describes the bytes kept in the partial file, from one attempt
	// to the next; nil when nothing proves which file they belong to.
	meta *partMeta
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

// changedFrom reports whether a response's validators say it is another
// file than the kept bytes came from.
func (m *partMeta) changedFrom(etag, lastModified string) bool {
	if m == nil {
		return false
	}
	return (m.ETag != "" && etag != "" && m.ETag != etag) || (m.LastModified != "" && lastModified != "" && m.LastModified != lastModified)
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
	if err := atomicfile.WriteFile(t.metaPath(), b, 0o644); err != nil {
		return &WriteError{Path: t.metaPath(), Err: err}
	}
	return nil
}

// discard removes the partial file and its description.
func (t *transfer) discard() { removePartial(t.req.Dest) }

// RemovePartial deletes what a stopped transfer to dest kept for resuming
// (dest.part and dest.part.meta): a cancel, as opposed to a pause. A
// missing file is not an error; a transfer to dest still running is
// ErrBusy, and its files stay.
func RemovePartial(dest string) error {
	l, ok, err := tryLockDest(dest)
	if err != nil {
		return fmt.Errorf("remove %s.part: %w", dest, err)
	}
	if !ok {
		return fmt.Errorf("remove %s.part: %w", dest, ErrBusy)
	}
	defer l.Release()
	return removePartial(dest)
}

func removePartial(dest string) error {
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

// requestError sorts a failed request: what another attempt cannot change
// (a refused certificate, a proxy wanting credentials, a redirect loop or
// to plain http) ends the transfer at once; the rest is retried.
func requestError(u *url.URL, err error) error {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	var pe *ProxyAuthError
	var be *BlockedAddressError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &be):
		return be
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &ci):
		return &TLSError{URL: redact(u), Err: inner}
	case errors.Is(err, ErrInsecure), errors.Is(err, ErrTooManyRedirects):
		return fmt.Errorf("request: %w", inner)
	}
	return transient(fmt.Errorf("request: %w", err))
}

// refusedAttempts is the most requests made to an address that refuses
// connections (nothing listens on its port).
const refusedAttempts = 3

// refused reports whether err is a connection the other end refused.
func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// fetchHTTP fetches over http or https: resumable with Range and
// If-Range, appending only to a 206, hashing while streaming.
func (t *transfer) fetchHTTP(ctx context.Context, u *url.URL) error {
	opt := t.client.opt
	t.meta = t.loadMeta()
	cleanRetry := false
	delay := opt.Backoff
	refusals := 0
	for attempt := 1; ; attempt++ {
		t.res.Attempts = attempt
		got, st, err := t.attempt(ctx, u)
		if err == nil {
			if got.sum == t.req.SHA256 {
				return t.promote(st)
			}
			t.discard()
			t.meta = nil
			if t.encoding != "" {
				// Compressed bytes never match: say why, and do not retry.
				return &EncodingError{URL: redact(u), Encoding: t.encoding}
			}
			if got.resumed && !cleanRetry && attempt < opt.MaxAttempts {
				// The bytes kept from before may be what is wrong: one
				// clean start before giving up.
				cleanRetry = true
				t.res.Restarts++
				continue
			}
			return &ChecksumError{URL: redact(u), Expected: t.req.SHA256, Actual: got.sum, Changed: t.res.ChangedOnServer}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var te *transientError
		if !errors.As(err, &te) {
			return err
		}
		most := opt.MaxAttempts
		if refused(te.err) {
			// Nothing listens there: a server restarting gets a few
			// seconds, a wrong address is said at once, not after a
			// minute of backoff.
			refusals++
			most = min(most, attempt-refusals+refusedAttempts)
		}
		if attempt >= most {
			return fmt.Errorf("giving up after %d attempts: %w", attempt, te.err)
		}
		wait, ev := delay, EventRetry
		var se *StallError
		switch {
		case errors.As(te.err, &se):
			// The server answered, then stopped: resume at once, as
			// the wait for a byte was the backoff.
			wait, ev = 0, EventStall
		case te.retryAfter > 0:
			wait = min(te.retryAfter, time.Minute)
		}
		t.client.progress(Progress{URL: t.req.URL, Dest: t.req.Dest, Event: ev, Message: te.err.Error(), Done: fileSize(t.part), Total: t.req.Size, Attempt: attempt + 1, MaxAttempts: most})
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
		delay = min(delay*2, opt.MaxBackoff)
	}
}

// attempt makes one request and streams its body into the partial file,
// through one handle that also hashes the bytes kept from before: the
// hash is of the bytes in this file, not of a file found again by name.
// Once the body is complete it returns their SHA-256 and whether bytes
// from before were kept, with the partial file's description after
// closing (to check, at the rename, that it is still that file).
func (t *transfer) attempt(ctx context.Context, u *url.URL) (complete, os.FileInfo, error) {
	f, err := openPart(t.part)
	if err != nil {
		return complete{}, nil, &WriteError{Path: t.part, Err: err}
	}
	got, err := t.exchange(ctx, f, u)
	var gone *partGone
	drop := errors.As(err, &gone)
	if drop {
		err = gone.err
	}
	var fst os.FileInfo
	if err == nil {
		if err = t.sync(f); err != nil {
			err = &WriteError{Path: t.part, Err: err}
		} else if fst, err = f.Stat(); err == nil && fst.Size() != t.res.Size {
			drop = true
			err = transient(fmt.Errorf("%s holds %d bytes where %d were written (another program wrote to it): starting over", t.part, fst.Size(), t.res.Size))
		}
	}
	if err != nil {
		if fst, serr := f.Stat(); serr == nil && fst.Size() == 0 {
			drop = true // nothing worth keeping: leave no empty file behind
		}
	}
	if cerr := f.Close(); cerr != nil && err == nil {
		err = &WriteError{Path: t.part, Err: cerr}
	}
	var st os.FileInfo
	if err == nil {
		// The description after closing: some systems set the time then.
		st, err = os.Lstat(t.part)
		if err == nil && (!os.SameFile(st, fst) || st.Size() != fst.Size()) {
			drop = true
			err = transient(fmt.Errorf("%s was replaced while it was written: starting over", t.part))
		}
	}
	if drop {
		t.discard()
		t.meta = nil
	}
	return got, st, err
}

// complete is what an attempt that got the whole file knows of its bytes.
type complete struct {
	sum     string // their SHA-256
	resumed bool   // bytes kept from before are among them
}

// partGone wraps an attempt's failure after which the bytes kept cannot
// be used: the partial file goes once it is closed. It never leaves
// attempt.
type partGone struct{ err error }

func (e *partGone) Error() string { return e.err.Error() }

func dropPart(err error) error { return &partGone{err: err} }

// openPart opens the partial file for reading and writing, creating it.
// Whatever is at that name and is not a plain file (a link planted in a
// shared folder, a device) is removed, never written through.
func openPart(path string) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	// The name may have been swapped between the check and the open.
	fst, err := f.Stat()
	lst, lerr := os.Lstat(path)
	if err == nil && lerr == nil && os.SameFile(fst, lst) && lst.Mode().IsRegular() {
		return f, nil
	}
	f.Close()
	return nil, fmt.Errorf("%s is not a plain file", path)
}

// exchange is one request and its body, written after the bytes kept.
// An error in a partGone says the partial file must go.
func (t *transfer) exchange(ctx context.Context, f *os.File, u *url.URL) (complete, error) {
	p, err := t.keptBytes(f)
	if err != nil {
		return complete{}, err
	}
	if t.req.Size > 0 && p.off == t.req.Size {
		return t.done(p, true), nil // complete already
	}
	// The request's own context: the stall watchdog cancels it, not the
	// caller's.
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	wd := newWatchdog(t.client.opt.StallTimeout, cancel)
	defer wd.stop()
	resp, err := t.send(ctx, actx, wd, u, p.off)
	if err != nil {
		return complete{}, err
	}
	defer resp.Body.Close()
	t.encoding = ""
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		// Asked for none: a compressed body cannot be hashed as the file.
		// Some servers send a .gz this way, byte for byte, so it is only
		// named if the checksum then fails.
		t.encoding = enc
	}
	total, whole, err := t.answer(u, resp, p)
	if err != nil {
		return complete{}, err
	}
	if whole {
		return t.done(p, true), nil
	}
	if total, err = t.bound(u, total); err != nil {
		return complete{}, err
	}
	if err := checkSpace(t.part, total-p.off); err != nil {
		return complete{}, err
	}
	m := &partMeta{URL: t.req.URL, SHA256: t.req.SHA256, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Total: total}
	if err := t.saveMeta(m); err != nil {
		return complete{}, err
	}
	t.meta = m
	return t.receive(ctx, p, wd.body(resp.Body), wd, u, total)
}

// partial is the partial file as an attempt writes it: the handle, the
// hash of every byte in it, and where the next byte goes.
type partial struct {
	f    *os.File
	path string
	h    hash.Hash
	off  int64
}

// restart empties the partial file: the bytes kept cannot be used.
func (p *partial) restart() error {
	p.off = 0
	p.h.Reset()
	if err := p.f.Truncate(0); err != nil {
		return &WriteError{Path: p.path, Err: err}
	}
	_, err := p.f.Seek(0, io.SeekStart)
	return err
}

// keptBytes hashes the bytes kept in f from before, leaving the handle
// after them, or empties f when nothing proves they belong to the file.
func (t *transfer) keptBytes(f *os.File) (*partial, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	p := &partial{f: f, path: t.part, h: sha256.New(), off: st.Size()}
	if p.off > 0 && (t.meta.validator() == "" || (t.req.Size > 0 && p.off > t.req.Size)) {
		// Cannot prove the bytes belong to the current file.
		os.Remove(t.metaPath())
		t.meta = nil
		if err := p.restart(); err != nil {
			return nil, err
		}
	}
	if p.off > 0 {
		if _, err := io.CopyN(p.h, f, p.off); err != nil {
			return nil, dropPart(fmt.Errorf("reading %s: %w", t.part, err))
		}
	}
	return p, nil
}

// done is the attempt's result once the partial file holds the bytes to
// judge, all of them hashed.
func (t *transfer) done(p *partial, resumed bool) complete {
	t.res.Size = p.off
	return complete{sum: hex.EncodeToString(p.h.Sum(nil)), resumed: resumed}
}

// send makes the request from byte off, with the watchdog armed until the
// answer's head arrives.
func (t *transfer) send(ctx, actx context.Context, wd *watchdog, u *url.URL, off int64) (*http.Response, error) {
	req, err := t.newRequest(actx, u, off, t.meta)
	if err != nil {
		return nil, err
	}
	wd.arm()
	resp, err := t.client.http.Do(req)
	wd.disarm()
	switch {
	case err == nil:
		return resp, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case wd.fired.Load():
		return nil, t.stalled(u, off)
	}
	return nil, requestError(u, err)
}

// answer reads the answer's status and validators against the bytes
// kept: it returns the size the body completes the file to (-1 when
// unknown), or whole when the server has no byte after the kept ones,
// which are then judged by their hash as they are.
func (t *transfer) answer(u *url.URL, resp *http.Response, p *partial) (total int64, whole bool, err error) {
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	switch {
	case resp.StatusCode == http.StatusPartialContent && p.off > 0:
		start, end, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != p.off {
			return 0, false, dropPart(transient(fmt.Errorf("server sent range %q for a request from byte %d", resp.Header.Get("Content-Range"), p.off)))
		}
		if t.meta.changedFrom(etag, lastMod) {
			// If-Range was ignored (by the server or a cache before it):
			// these are bytes of another file than the ones kept.
			t.res.ChangedOnServer = true
			t.res.Restarts++
			t.emit(EventRestart, 0, t.req.Size, "the file changed on the server: starting over")
			return 0, false, dropPart(transient(errors.New("the file changed on the server (its validator differs from the kept bytes'): starting over")))
		}
		total = size
		if size < 0 {
			total = end + 1
		}
		t.res.Resumed = true
		t.emit(EventResume, p.off, total, "")
		return total, false, nil
	case resp.StatusCode == http.StatusOK:
		if p.off > 0 {
			// The server ignored the range or, through If-Range, said the
			// file is not the one the kept bytes came from.
			if t.meta.changedFrom(etag, lastMod) {
				t.res.ChangedOnServer = true
				t.emit(EventRestart, 0, resp.ContentLength, "the file changed on the server: starting over")
			} else {
				t.emit(EventRestart, 0, resp.ContentLength, "the server does not resume transfers: starting over")
			}
			t.res.Restarts++
			if err := p.restart(); err != nil {
				return 0, false, err
			}
		}
		t.emit(EventStart, 0, resp.ContentLength, "")
		return resp.ContentLength, false, nil
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		if !t.meta.changedFrom(etag, lastMod) {
			// The server has no byte after the kept ones (whatever size
			// it announces): they are judged by their hash, not
			// fetched again; a mismatch gets the one clean start.
			return 0, true, nil
		}
		return 0, false, dropPart(transient(errors.New("server cannot resume from the kept bytes (416): starting over")))
	}
	err = t.statusError(u, resp)
	var he *HTTPError
	// Keep the bytes when signing in (401, 403) or proxy credentials
	// (407) may let the same transfer resume; drop them otherwise.
	var pe *ProxyAuthError
	var te *transientError
	if errors.As(err, &te) || errors.As(err, &pe) || (errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden)) {
		return 0, false, err
	}
	return 0, false, dropPart(err)
}

// bound holds the size announced against the catalog's: an unknown one is
// the catalog's; a smaller one is a file other than the catalog's, not
// worth reading.
func (t *transfer) bound(u *url.URL, total int64) (int64, error) {
	if total < 0 && t.req.Size > 0 {
		total = t.req.Size
	}
	if t.req.Size > 0 && total >= 0 && total < t.req.Size {
		if t.encoding != "" {
			return 0, dropPart(&EncodingError{URL: redact(u), Encoding: t.encoding})
		}
		return 0, dropPart(&ChecksumError{URL: redact(u), Expected: t.req.SHA256,
			Actual: fmt.Sprintf("(a file of %d bytes, where %d are expected)", total, t.req.Size), Changed: t.res.ChangedOnServer})
	}
	return total, nil
}

// receive streams the body into the partial file after its kept bytes,
// then judges how it ended.
func (t *transfer) receive(ctx context.Context, p *partial, body io.Reader, wd *watchdog, u *url.URL, total int64) (complete, error) {
	// A server may announce more than the file holds (a wrong
	// Content-Length or Content-Range size): the catalog's size bounds
	// what is read, and the bytes up to it are judged by their hash.
	overstated := t.req.Size > 0 && total > t.req.Size
	if overstated {
		body = io.LimitReader(body, t.req.Size-p.off)
	}
	var w io.Writer = p.f
	if t.client.partWriter != nil {
		w = t.client.partWriter(p.f)
	}
	t.meter.begin(time.Now())
	off := p.off
	n, copyErr := t.copy(ctx, p.f, w, p.h, body, off, total)
	t.res.Transferred += n
	p.off += n
	var we *WriteError
	if ctx.Err() == nil && !errors.As(copyErr, &we) && n > 0 {
		sum := hex.EncodeToString(p.h.Sum(nil))
		switch {
		case overstated && p.off == t.req.Size && copyErr == nil,
			(copyErr != nil || p.off < total) && sum == t.req.SHA256 && (t.req.Size == 0 || p.off == t.req.Size):
			// The connection ended early, or reading stopped at the
			// catalog's size: bytes that hash to the file are the
			// file, whatever the server announced; others are a
			// checksum failure, not a reason to fetch them again.
			return t.done(p, off > 0), nil
		}
	}
	switch {
	case copyErr != nil && ctx.Err() != nil:
		return complete{}, ctx.Err()
	case copyErr != nil && wd.fired.Load():
		// The bytes written stay: the next attempt resumes after them.
		return complete{}, t.stalled(u, p.off)
	case errors.As(copyErr, &we):
		// The disk, not the network: retrying will not help. The bytes
		// written stay for a resume.
		return complete{}, copyErr
	case copyErr != nil:
		return complete{}, transient(fmt.Errorf("connection lost after %d bytes: %w", p.off, copyErr))
	case total >= 0 && p.off < total:
		return complete{}, transient(fmt.Errorf("the server closed the connection after %d of %d bytes", p.off, total))
	case total >= 0 && p.off > total:
		return complete{}, dropPart(transient(fmt.Errorf("the server sent %d bytes, more than the %d announced", p.off, total)))
	}
	return t.done(p, off > 0), nil
}

// newRequest is the GET of one attempt, from byte off of the kept bytes
// described by meta.
func (t *transfer) newRequest(ctx context.Context, u *url.URL, off int64, meta *partMeta) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range t.req.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	// One request per connection: a transfer is long, so a new
	// handshake costs little, and a server that sends more than it
	// announced cannot make net/http log about the bytes left on a
	// kept connection (on the standard logger: the CLI's stderr).
	req.Close = true
	req.Header.Set("User-Agent", "Onramp-assistant")
	req.Header.Set("Accept-Encoding", "identity")
	if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
		req.Header.Set("If-Range", meta.validator())
	}
	return req, nil
}

// stalled is the transient failure of an attempt the watchdog ended,
// with done bytes of the file on disk.
func (t *transfer) stalled(u *url.URL, done int64) error {
	return transient(&StallError{URL: redact(u), After: t.client.opt.StallTimeout, Done: done})
}

// hashRing is how many buffers the hash may lag behind the writes: the
// memory of a transfer is bounded (hashRing × copyChunk), and bursts of
// either side do not stall the other.
const hashRing = 8

// copyChunk is the most a buffer holds. A buffer is filled by as many
// reads as the socket needs, then written and handed to the hash: one
// write and one hand-off per MiB instead of per read (a read from a
// socket returns what has arrived, 64–256 KiB here), and the hand-offs,
// each a wake-up of the other goroutine, were what cost beside curl.
const copyChunk = 1 << 20

// fillRead is the smallest read after which a buffer is filled further:
// a full TLS record (16 KiB) counts as large. fillFor bounds the filling.
const (
	fillRead = 16 << 10
	fillFor  = 20 * time.Millisecond
)

// writebackEvery is how many bytes are written between two requests to
// the kernel to start writing them to disk.
const writebackEvery = 8 << 20

// copy streams body into w, reporting progress and keeping to the rate
// limit, while another goroutine hashes the bytes written: on two cores
// the hash runs beside the kernel's copies instead of after them. Only
// bytes written are hashed, in order; a failed write is a *WriteError.
// When copy returns, h holds every byte written.
// f, when set, is the file under w: for a durable transfer the hashing
// goroutine also asks the kernel to put its pages on disk as they come
// (writebackEvery), so the fsync at the end waits for little and the
// copy never waits for the disk's queue.
func (t *transfer) copy(ctx context.Context, f *os.File, w io.Writer, h hash.Hash, body io.Reader, off, total int64) (int64, error) {
	chunk, fill := copyChunk, true
	if rate := t.client.opt.RateLimit; rate > 0 {
		// Small steps under a limit keep the rate and the progress smooth.
		chunk, fill = int(min(max(rate/10, 4<<10), 256<<10)), false
	}
	free := make(chan []byte, hashRing)
	for range hashRing {
		free <- make([]byte, chunk)
	}
	full := make(chan []byte, hashRing)
	hashed := make(chan struct{})
	durable := f != nil && t.client.opt.Durable
	go func() {
		defer close(hashed)
		var n, flushed int64
		for b := range full {
			h.Write(b)
			n += int64(len(b))
			free <- b[:cap(b)]
			if durable && n-flushed >= writebackEvery {
				startWriteback(f, off+flushed, n-flushed)
				flushed = n
			}
		}
	}()
	defer func() {
		close(full)
		<-hashed
	}()
	var n int64
	if f != nil && total > off {
		preallocate(f, off, total-off)
	}
	for {
		buf := <-free
		k, rerr := body.Read(buf)
		began := time.Now()
		for m := k; fill && rerr == nil && m >= fillRead && k < len(buf) && time.Since(began) < fillFor; k += m {
			// A large read says more bytes are waiting: fill the buffer.
			// A small one says the socket is drained, and the next read
			// would wait for the network, so a slow transfer still writes
			// and reports what it has at once; a bursty one within
			// fillFor and one more read.
			m, rerr = body.Read(buf[k:])
		}
		if k == 0 {
			free <- buf
		} else {
			wn, werr := w.Write(buf[:k])
			full <- buf[:wn]
			n += int64(wn)
			if werr == nil && wn < k {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, &WriteError{Path: t.part, Err: werr}
			}
			t.meter.add(time.Now(), int64(k))
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

// sync puts a durable transfer's file on disk before it is promoted.
func (t *transfer) sync(f *os.File) error {
	if !t.client.opt.Durable {
		return nil
	}
	return f.Sync()
}

func (t *transfer) statusError(u *url.URL, resp *http.Response) error {
	he := &HTTPError{URL: redact(u), Status: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return &transientError{err: he, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	case resp.StatusCode == http.StatusProxyAuthRequired:
		// A plain-http request through a proxy gets the proxy's own 407.
		pe := &ProxyAuthError{}
		if tr, ok := t.client.http.Transport.(*http.Transport); ok && tr.Proxy != nil && resp.Request != nil {
			if pu, err := tr.Proxy(resp.Request); err == nil && pu != nil {
				pe.Proxy = redact(pu)
			}
		}
		return pe
	}
	return he
}

// promote renames the verified partial file to the destination, only if
// it is still the file that was hashed (described by st), and checks that
// the destination is that file afterwards.
func (t *transfer) promote(st os.FileInfo) error {
	if !unchanged(t.part, st) {
		t.discard()
		return fmt.Errorf("%s changed after it was verified (another program wrote to it): the download was discarded", t.part)
	}
	if err := os.Rename(t.part, t.req.Dest); err != nil {
		return err
	}
	if !unchanged(t.req.Dest, st) {
		os.Remove(t.req.Dest)
		return fmt.Errorf("%s was replaced while it was renamed: the download was discarded", t.req.Dest)
	}
	t.promoted = st
	os.Remove(t.metaPath())
	t.emit(EventDone, t.res.Size, t.res.Size, "")
	return nil
}

// fetchFile copies a local file into the partial file, hashing the bytes
// written through the same pipeline as a transfer, and promotes it only
// if they match.
func (t *transfer) fetchFile(ctx context.Context, src string) error {
	t.discard()
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	ist, err := in.Stat()
	if err != nil {
		return err
	}
	if !ist.Mode().IsRegular() {
		return fmt.Errorf("%s is not a plain file", src)
	}
	t.emit(EventStart, 0, ist.Size(), "")
	f, err := openPart(t.part)
	if err != nil {
		return &WriteError{Path: t.part, Err: err}
	}
	var w io.Writer = f
	if t.client.partWriter != nil {
		w = t.client.partWriter(f)
	}
	h := sha256.New()
	t.meter.begin(time.Now())
	n, err := t.copy(ctx, f, w, h, in, 0, ist.Size())
	var fst os.FileInfo
	if err == nil {
		if err = t.sync(f); err != nil {
			err = &WriteError{Path: t.part, Err: err}
		} else if fst, err = f.Stat(); err == nil && fst.Size() != n {
			err = fmt.Errorf("%s holds %d bytes where %d were written (another program wrote to it)", t.part, fst.Size(), n)
		}
	}
	if cerr := f.Close(); cerr != nil && err == nil {
		err = &WriteError{Path: t.part, Err: cerr}
	}
	var st os.FileInfo
	if err == nil {
		if st, err = os.Lstat(t.part); err == nil && (!os.SameFile(st, fst) || st.Size() != fst.Size()) {
			err = fmt.Errorf("%s was replaced while it was written", t.part)
		}
	}
	if err != nil {
		t.discard()
		return err
	}
	t.res.Size, t.res.Attempts, t.res.Transferred = n, 1, n
	if sum := hex.EncodeToString(h.Sum(nil)); sum != t.req.SHA256 {
		t.discard()
		return &ChecksumError{URL: Redact(t.req.URL), Expected: t.req.SHA256, Actual: sum}
	}
	return t.promote(st)
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
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
