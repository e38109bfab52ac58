package downloader

import (
	"context"
	"io"
	"sync/atomic"
	"time"
)

// watchdog ends a request that waits longer than its timeout for the
// network: it runs only while the transfer waits for a response or in a
// read of the body, so time spent writing to disk or under the rate
// limit is not counted as a stall. When it fires it cancels the
// request's own context, which unblocks the read; fired tells that
// apart from the caller's cancel.
type watchdog struct {
	d     time.Duration
	timer *time.Timer
	fired atomic.Bool
}

func newWatchdog(d time.Duration, cancel context.CancelFunc) *watchdog {
	w := &watchdog{d: d}
	w.timer = time.AfterFunc(d, func() {
		w.fired.Store(true)
		cancel()
	})
	w.timer.Stop()
	return w
}

func (w *watchdog) arm()    { w.timer.Reset(w.d) }
func (w *watchdog) disarm() { w.timer.Stop() }
func (w *watchdog) stop()   { w.timer.Stop() }

// body is r read under the watchdog.
func (w *watchdog) body(r io.Reader) io.Reader { return &watchedReader{r: r, w: w} }

type watchedReader struct {
	r io.Reader
	w *watchdog
}

func (r *watchedReader) Read(p []byte) (int, error) {
	r.w.arm()
	n, err := r.r.Read(p)
	r.w.disarm()
	return n, err
}
