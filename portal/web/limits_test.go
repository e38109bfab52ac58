package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// Unsigned requests with long fields are refused before any lookup: the
// limiters, which remember keys, count none of them. Each case runs
// under limits of one failure, so the first wrong sign-in after it must
// still be answered, and only the second refused.
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
			one := portal.SignInLimit{Failures: 1, Window: time.Hour}
			portal.WithSignInLimits(one, one)(p.svc)
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
			probe := map[string]string{"login": "nobody@example.com", "password": "wrong"}
			if code := p.call(t, "POST", "/api/v1/session", "", probe, nil); code != 401 {
				t.Errorf("a wrong sign-in after the refused requests: %d, want 401: the limiters counted them", code)
			}
			if code := p.call(t, "POST", "/api/v1/session", "", probe, nil); code != 429 {
				t.Errorf("a second wrong sign-in: %d, want 429 from the limit of one", code)
			}
		})
	}
}
