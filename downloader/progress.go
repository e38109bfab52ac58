package downloader

import (
	"context"
	"sync"
	"time"
)

// Event says what a Progress report is about.
type Event string

// Events, in the order a transfer may emit them.
const (
	EventStart    Event = "start"    // a transfer from byte 0 began
	EventResume   Event = "resume"   // a transfer continued from the kept bytes
	EventProgress Event = "progress" // bytes arrived (throttled)
	EventRetry    Event = "retry"    // a transient failure; another attempt follows (Attempt of MaxAttempts)
	EventStall    Event = "stall"    // no byte arrived for the stall timeout; a retry with resume follows
	EventRestart  Event = "restart"  // the kept bytes were dropped (Message says why)
	EventWait     Event = "wait"     // another transfer to the same file runs; this one waits for it
	EventDone     Event = "done"     // verified and in place
)

// Progress is one report about a transfer. Reports of EventProgress come
// at most every 200 ms per transfer; every other event is reported at once.
type Progress struct {
	URL   string `json:"url"`
	Dest  string `json:"dest"`
	Event Event  `json:"event"`
	Done  int64  `json:"done"`  // bytes of the file on disk
	Total int64  `json:"total"` // -1 or 0 when unknown
	// Rate is bytes per second received over the last few seconds of this
	// run (bytes kept from before are not speed); 0 until minRateSpan of
	// transfer has passed, as a first buffered read says nothing of speed.
	Rate    float64       `json:"rate"`
	ETA     time.Duration `json:"eta"` // 0 when unknown
	Message string        `json:"message,omitempty"`
	// Attempt is the number of the request about to be made and
	// MaxAttempts the most there will be; set on EventRetry and EventStall.
	Attempt     int `json:"attempt,omitempty"`
	MaxAttempts int `json:"max_attempts,omitempty"`
}

const (
	progressInterval = 200 * time.Millisecond
	// minRateSpan is the least time a rate is measured over.
	minRateSpan = 500 * time.Millisecond
	// rateWindow is how far back the rate looks, so it follows changes.
	rateWindow = 5 * time.Second
	// sampleEvery keeps the samples few whatever the chunk size.
	sampleEvery = 100 * time.Millisecond
)

// meter measures one transfer's rate over a moving window and throttles
// its reports. Times are passed in, so its arithmetic is tested without a
// clock.
type meter struct {
	last    time.Time // last progress report
	bytes   int64     // received in this run
	samples []sample  // oldest first, within rateWindow
}

type sample struct {
	at    time.Time
	bytes int64 // m.bytes at that time
}

// begin marks when bytes start to flow (a response arrived); a later
// attempt's begin keeps the earlier samples.
func (m *meter) begin(now time.Time) {
	if len(m.samples) == 0 {
		m.samples = append(m.samples, sample{now, m.bytes})
	}
}

// add counts n bytes received at now.
func (m *meter) add(now time.Time, n int64) {
	m.begin(now)
	m.bytes += n
	if now.Sub(m.samples[len(m.samples)-1].at) < sampleEvery {
		return
	}
	m.samples = append(m.samples, sample{now, m.bytes})
	drop := 0
	for drop < len(m.samples)-1 && now.Sub(m.samples[drop].at) > rateWindow {
		drop++
	}
	m.samples = append(m.samples[:0], m.samples[drop:]...)
}

// rate is bytes per second since the oldest sample of the window, or 0
// when that is less than minRateSpan ago.
func (m *meter) rate(now time.Time) float64 {
	for _, s := range m.samples {
		if now.Sub(s.at) > rateWindow {
			continue
		}
		span := now.Sub(s.at)
		if span < minRateSpan {
			return 0
		}
		return float64(m.bytes-s.bytes) / span.Seconds()
	}
	return 0
}

func (t *transfer) emit(ev Event, done, total int64, msg string) {
	if t.client.opt.Progress == nil {
		return
	}
	now := time.Now()
	if ev == EventProgress {
		if now.Sub(t.meter.last) < progressInterval {
			return
		}
		t.meter.last = now
	}
	p := Progress{URL: t.req.URL, Dest: t.req.Dest, Event: ev, Done: done, Total: total, Message: msg}
	if p.Rate = t.meter.rate(now); p.Rate > 0 && total > done {
		p.ETA = time.Duration(float64(total-done) / p.Rate * float64(time.Second)).Round(time.Second)
	}
	t.client.opt.Progress(p)
}

// limiter spreads the bytes of every transfer of a client over time, so
// parallel transfers share one bandwidth limit.
type limiter struct {
	mu   sync.Mutex
	next time.Time // when the bytes already granted will have "passed"
}

func (l *limiter) wait(ctx context.Context, rate int64, n int) error {
	if rate <= 0 {
		return nil
	}
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	l.next = l.next.Add(time.Duration(float64(n) / float64(rate) * float64(time.Second)))
	d := l.next.Sub(now)
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
