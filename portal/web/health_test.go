package web

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"onramp.dev/onramp/portal"
)

// A load balancer probes /healthz (the process) and /readyz (the
// database); with the database gone, /readyz answers 503 and /healthz
// still 200.
func TestHealthAndReadiness(t *testing.T) {
	p := newTestPortal(t)
	get := func(path string) int {
		t.Helper()
		resp, err := http.Get(p.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return resp.StatusCode
	}
	tests := []struct {
		name       string
		writerBusy bool // a long import holds SQLite's one writer connection
		dbGone     bool
		path       string
		wantStatus int
	}{
		{"alive", false, false, "/healthz", 200},
		{"ready", false, false, "/readyz", 200},
		{"ready-while-writing", true, false, "/readyz", 200},
		{"alive-without-database", false, true, "/healthz", 200},
		{"not-ready-without-database", false, true, "/readyz", 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.writerBusy {
				// A change of a contract's users holds the writer while
				// its plan runs: this one waits until the check is done.
				uid, _ := p.newContract(t, "busy@example.com", "atlas")
				contractID := mustUser(t, p, uid).ContractID
				inside, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
				go func() {
					done <- p.store.ChangeUsers(context.Background(), contractID, func(*portal.Contract, []*portal.User) ([]portal.UserChange, []portal.Email, error) {
						close(inside)
						<-release
						return nil, nil, nil
					}, "test")
				}()
				select {
				case <-inside:
				case err := <-done:
					t.Fatalf("the change ended before the check: %v", err)
				}
				defer func() {
					close(release)
					if err := <-done; err != nil {
						t.Error(err)
					}
				}()
			}
			if tt.dbGone {
				p.store.Close()
			}
			if got := get(tt.path); got != tt.wantStatus {
				t.Errorf("%s: %d, want %d", tt.path, got, tt.wantStatus)
			}
		})
	}
}
