package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"onramp.dev/onramp/downloader"
)

// The download line in the window's language: figures while bytes flow,
// "stalled" once none came for a while (the window's own clock, no report
// needed), the attempt of a retry, and figures again when bytes return.
func TestDownloadLineStalledAndRetrying(t *testing.T) {
	const mib = 1 << 20
	const done, total = 67832054, 83896565 // 64.69 MiB of 80.01 MiB
	words := map[string][]string{
		"en": {"64.7 MiB of 80 MiB · 1.9 MiB/s · 36 s left", "64.7 MiB of 80 MiB · Stalled — no data for 12 s",
			"64.7 MiB of 80 MiB · Stalled — no data for 30 s · Retrying, attempt 2 of 5…", "70 MiB of 80 MiB · 2 MiB/s · 5 s left",
			"Retrying, attempt 3 of 8…"},
		"fr": {"64,7 Mio sur 80 Mio · 1,9 Mio/s · 36 s restantes", "64,7 Mio sur 80 Mio · Bloqué — aucune donnée depuis 12 s",
			"64,7 Mio sur 80 Mio · Bloqué — aucune donnée depuis 30 s · Nouvelle tentative, essai 2 sur 5…", "70 Mio sur 80 Mio · 2 Mio/s · 5 s restantes",
			"Nouvelle tentative, essai 3 sur 8…"},
	}
	for _, language := range []string{"en", "fr"} {
		t.Run(language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, language)
			t.Cleanup(func() { setLanguage("en") })
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			tap(a, a.setupButtons["quill"])
			s := a.setup.download
			// The package's size, before anything: "Kio" in French.
			if fr := strings.Contains(s.info.Text, "io"); strings.Contains(s.info.Text, "iB") == (language == "fr") || fr != (language == "fr") {
				t.Errorf("package size: %q", s.info.Text)
			}
			clock := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
			s.now = func() time.Time { return clock }
			want := words[language]
			check := func(step int) {
				t.Helper()
				if s.info.Text != want[step] {
					t.Errorf("step %d: %q, want %q", step, s.info.Text, want[step])
				}
			}
			act(a, func() {
				s.lastByte = clock
				s.show(downloader.Progress{Event: downloader.EventProgress, Done: done, Total: total, Rate: 1.86 * mib, ETA: 35200 * time.Millisecond})
			})
			check(0)
			clock = clock.Add(12 * time.Second)
			act(a, s.redraw) // what the window's one-second tick does
			check(1)
			clock = clock.Add(18 * time.Second)
			act(a, func() {
				s.show(downloader.Progress{Event: downloader.EventStall, Done: done, Total: total, Attempt: 2, MaxAttempts: 5})
			})
			check(2)
			clock = clock.Add(time.Second)
			act(a, func() {
				s.show(downloader.Progress{Event: downloader.EventProgress, Done: 70 * mib, Total: total, Rate: 2 * mib, ETA: 5 * time.Second})
			})
			check(3)
			if v := s.bar.Value; v < 0.87 || v > 0.88 {
				t.Errorf("bar at %v", v)
			}
			// Before any byte: the attempt of the retry.
			act(a, func() {
				s.last, s.retry, s.lastByte = downloader.Progress{}, nil, clock
				s.show(downloader.Progress{Event: downloader.EventRetry, Total: total, Attempt: 3, MaxAttempts: 8, Message: "connection refused"})
			})
			if !strings.HasSuffix(s.info.Text, want[4]) {
				t.Errorf("retry before any byte: %q, want %q", s.info.Text, want[4])
			}
		})
	}
}

// With the service gone (a refused connection on 127.0.0.1), the line
// says at the first failure that it retries, and which attempt comes,
// rather than "Connecting…" until every attempt is spent.
func TestDownloadRetryShownWhenServiceDown(t *testing.T) {
	a, d, _ := demoAssistant(t, "fr")
	t.Cleanup(func() { setLanguage("en") })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	tap(a, a.setupButtons["quill"])
	s := a.setup.download
	reported := make(chan struct{}, 1)
	s.onProgress = func() {
		select {
		case reported <- struct{}{}:
		default:
		}
	}
	d.Close()
	a.onUI(func() { test.Tap(s.start) }) // returns while the download runs
	select {
	case <-reported:
	case <-time.After(30 * time.Second):
		t.Fatalf("no report: %q", s.info.Text)
	}
	var text string
	a.onUI(func() { text = s.info.Text })
	if !strings.Contains(text, "Nouvelle tentative, essai 2 sur ") {
		t.Errorf("with the service down: %q", text)
	}
	tap(a, s.pause)
}
