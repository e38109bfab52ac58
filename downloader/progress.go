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
	EventRetry    Event = "retry"    // a transient failure; another attempt follows
	EventRestart  Event = "restart"  // the kept bytes were dropped (Message says why)
	EventDone     Event = "done"     // verified and in place
)

// Progress is one report about a transfer. Reports of EventProgress come
// at most every 200 ms per transfer; every other event is reported at once.
type Progress struct {
	URL     string        `json:"url"`
	Dest    string        `json:"dest"`
	Event   Event         `json:"event"`
	Done    int64         `json:"done"`  // bytes of the file on disk
	Total   int64         `json:"total"` // -1 or 0 when unknown
	Rate    float64       `json:"rate"`  // bytes per second over this run
	ETA     time.Duration `json:"eta"`   // 0 when unknown
	Message string        `json:"message,omitempty"`
}

const progressInterval = 200 * time.Millisecond

// meter measures one transfer's rate and throttles its reports.
type meter struct {
	start, last time.Time
	bytes       int64
}

func (m *meter) add(n int64) {
	if m.start.IsZero() {
		m.start = time.Now()
	}
	m.bytes += n
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
	if el := now.Sub(t.meter.start).Seconds(); !t.meter.start.IsZero() && el > 0 {
		p.Rate = float64(t.meter.bytes) / el
		if p.Rate > 0 && total > done {
			p.ETA = time.Duration(float64(total-done) / p.Rate * float64(time.Second)).Round(time.Second)
		}
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
