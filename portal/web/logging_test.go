package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"onramp.dev/onramp/portal"
)

// lockedBuffer is a log destination the handlers and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { return string(l.bytes()) }

func (l *lockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// Security events are logged, one JSON line each, with what an operator
// needs and without a secret.
func TestSecurityEventsLogged(t *testing.T) {
	var buf lockedBuffer
	p := startPortal(t, nil, portal.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	var secrets []string

	// A failed sign-in, then a lockout, then a refused sign-in.
	victim, victimTemp := p.newContract(t, "victim@x.example", "atlas")
	secrets = append(secrets, victimTemp)
	for i := range 5 {
		wrong := "wrong-password-" + strings.Repeat("w", i+1)
		secrets = append(secrets, wrong)
		if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": victim, "password": wrong}, nil); code != 401 {
			t.Fatalf("failure %d: %d", i, code)
		}
	}
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": victim, "password": victimTemp}, nil); code != 429 {
		t.Fatalf("locked out: %d", code)
	}
	emailLogin := "someone.else@x.example"
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": emailLogin, "password": "another-wrong-one"}, nil)
	secrets = append(secrets, "another-wrong-one")

	// A refresh token presented twice.
	uid, temp := p.newContract(t, "mgr@x.example", "atlas")
	secrets = append(secrets, temp, "a long enough passphrase")
	p.activate(t, uid, temp)
	var s1, s2 portal.Session
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a long enough passphrase"}, &s1)
	if code := p.call(t, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": s1.RefreshToken}, &s2); code != 200 {
		t.Fatalf("refresh: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": s1.RefreshToken}, nil); code != 401 {
		t.Fatalf("reuse: %d", code)
	}
	secrets = append(secrets, s1.AccessToken, s1.RefreshToken, s2.AccessToken, s2.RefreshToken)

	// A seat key that does not exist.
	badKey := portal.SeatKeyPrefix + "not-a-real-seat-key-0123456789"
	secrets = append(secrets, badKey)
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/seats", strings.NewReader(`{"machine_id": "m1", "hostname": "h", "product": "atlas"}`))
	req.Header.Set("Authorization", "SeatKey "+badKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// A 500: a table the write needs is gone (renamed from outside, as a
	// mistaken operator would), while the reads still work.
	var s3 portal.Session
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a long enough passphrase"}, &s3)
	secrets = append(secrets, s3.AccessToken, s3.RefreshToken)
	if _, err := rawDB(t, p).Exec(`ALTER TABLE audit RENAME TO audit_gone`); err != nil {
		t.Fatal(err)
	}
	if code := p.call(t, "PATCH", "/api/v1/me", s3.AccessToken, map[string]string{"name": "New Name"}, nil); code != 500 {
		t.Fatalf("profile with no audit table: %d", code)
	}

	logged := buf.bytes()
	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(logged))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	find := func(want map[string]any) bool {
		for _, l := range lines {
			ok := true
			for k, v := range want {
				if v == nil {
					_, ok2 := l[k]
					ok = ok && ok2
				} else {
					ok = ok && l[k] == v
				}
			}
			if ok {
				return true
			}
		}
		return false
	}
	tests := []struct {
		name string
		want map[string]any
	}{
		{"sign-in-failed", map[string]any{"event": "sign_in_failed", "login": victim, "remote": "127.0.0.1", "reason": "bad_credentials", "level": "WARN"}},
		{"sign-in-failed-email-hashed", map[string]any{"event": "sign_in_failed", "login_sha256": nil, "remote": "127.0.0.1"}},
		{"lockout", map[string]any{"event": "lockout", "limit": "account", "login": victim}},
		{"sign-in-locked", map[string]any{"event": "sign_in_locked", "login": victim, "reason": "rate_limited"}},
		{"token-reuse", map[string]any{"event": "token_reuse", "user_id": uid, "remote": "127.0.0.1"}},
		{"seat-key-refused", map[string]any{"event": "seat_key_refused", "reason": "bad_credentials", "remote": "127.0.0.1"}},
		{"server-error", map[string]any{"event": "server_error", "status": float64(500), "route": "PATCH /api/v1/me", "error": nil, "level": "ERROR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !find(tt.want) {
				t.Errorf("no line with %v in:\n%s", tt.want, logged)
			}
		})
	}
	t.Run("no-secret", func(t *testing.T) {
		for _, s := range append(secrets, emailLogin) {
			if s != "" && bytes.Contains(logged, []byte(s)) {
				t.Errorf("the log holds %q", s)
			}
		}
	})
}
