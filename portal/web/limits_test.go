package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Unsigned requests with long fields are refused before any lookup: the
// limiters, which remember keys, stay empty.
func TestLongLoginsRefusedBeforeLookup(t *testing.T) {
	p := newTestPortal(t)
	tests := []struct {
		name  string
		path  string
		body  func(i int) []byte
		codes []int
	}{
		{"1-MiB-logins", "/api/v1/session", func(i int) []byte {
			b, _ := json.Marshal(map[string]string{"login": fmt.Sprint(i) + strings.Repeat("x", 1<<20), "password": "x"})
			return b
		}, []int{413}},
		{"1-KiB-logins", "/api/v1/session", func(i int) []byte {
			b, _ := json.Marshal(map[string]string{"login": fmt.Sprint(i) + strings.Repeat("x", 1<<10), "password": "x"})
			return b
		}, []int{400}},
		{"2-KiB-passwords", "/api/v1/session", func(i int) []byte {
			b, _ := json.Marshal(map[string]string{"login": fmt.Sprint(i), "password": strings.Repeat("x", 2<<10)})
			return b
		}, []int{400}},
		{"1-KiB-refresh-tokens", "/api/v1/session/refresh", func(i int) []byte {
			b, _ := json.Marshal(map[string]string{"refresh_token": fmt.Sprint(i) + strings.Repeat("x", 1<<10)})
			return b
		}, []int{400}},
		{"1-MiB-seat-registrations", "/api/v1/seats", func(i int) []byte {
			b, _ := json.Marshal(map[string]string{"machine_id": strings.Repeat("m", 1<<20)})
			return b
		}, []int{413, 401}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 10 {
				resp, err := http.Post(p.URL+tt.path, "application/json", bytes.NewReader(tt.body(i)))
				if err != nil {
					t.Fatal(err)
				}
				var prob Problem
				json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&prob)
				resp.Body.Close()
				ok := false
				for _, c := range tt.codes {
					ok = ok || resp.StatusCode == c
				}
				if !ok {
					t.Fatalf("request %d: %d %+v, want one of %v", i, resp.StatusCode, prob, tt.codes)
				}
			}
			if n, m := p.svc.accountLimit.len(), p.svc.addressLimit.len(); n != 0 || m != 0 {
				t.Errorf("the limiters hold %d and %d keys", n, m)
			}
		})
	}
}

func TestLimiterBounds(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("size-stays-at-cap", func(t *testing.T) {
		l := newLimiter(5, time.Minute)
		l.maxKeys = 100
		for i := range 1000 {
			l.fail(context.Background(), fmt.Sprint("key", i), t0.Add(time.Duration(i)*time.Millisecond))
		}
		if n := l.len(); n != 100 {
			t.Errorf("%d keys after 1,000 distinct failures, cap 100", n)
		}
		if blocked, _ := l.blocked(context.Background(), "key0", t0.Add(time.Second)); blocked {
			t.Error("the oldest key was kept")
		}
	})
	t.Run("recent-key-survives-eviction", func(t *testing.T) {
		l := newLimiter(2, time.Minute)
		l.maxKeys = 3
		l.fail(context.Background(), "victim", t0)
		l.fail(context.Background(), "victim", t0)
		l.fail(context.Background(), "a", t0)
		l.fail(context.Background(), "b", t0)
		l.fail(context.Background(), "victim", t0) // the victim is the most recent again
		l.fail(context.Background(), "c", t0)
		if blocked, _ := l.blocked(context.Background(), "victim", t0); !blocked {
			t.Error("a key failed again was evicted before older ones")
		}
	})
	t.Run("entries-expire-after-window", func(t *testing.T) {
		l := newLimiter(5, time.Minute)
		for i := range 50 {
			l.fail(context.Background(), fmt.Sprint("key", i), t0)
		}
		l.fail(context.Background(), "late", t0.Add(30*time.Second))
		if n := l.len(); n != 51 {
			t.Fatalf("%d keys, want 51", n)
		}
		l.blocked(context.Background(), "anything", t0.Add(time.Minute)) // any use sweeps
		if n := l.len(); n != 1 {
			t.Errorf("%d keys a window later, want 1 (the late one)", n)
		}
		l.blocked(context.Background(), "anything", t0.Add(90*time.Second))
		if n := l.len(); n != 0 {
			t.Errorf("%d keys after every window passed", n)
		}
	})
	t.Run("hits-per-key-bounded", func(t *testing.T) {
		l := newLimiter(5, time.Minute)
		for range 10_000 {
			l.fail(context.Background(), "k", t0)
		}
		if n := len(l.keys["k"].Value.(*limiterEntry).hits); n > 5 {
			t.Errorf("one key remembers %d failures for a limit of 5", n)
		}
		if blocked, wait := l.blocked(context.Background(), "k", t0.Add(time.Second)); !blocked || wait != 59*time.Second {
			t.Errorf("blocked %v for %v", blocked, wait)
		}
	})
}
