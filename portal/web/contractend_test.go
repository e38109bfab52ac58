package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// After the contract's end date: sign-in, the contract, profile, support
// and the lists stay; downloads, seats, seat keys, new users and new
// products stop, each with a contract_ended problem naming the date.
func TestContractEnd(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas")
	_, out := p.importCSV(t, mgr, "email,products,benefits\nbo@x.example,atlas,download\n", false)
	bo := out["changes"].([]any)[0].(map[string]any)["user_id"].(string)
	if code := p.call(t, "PUT", "/api/v1/callers/"+bo, mgr, nil, nil); code != 204 {
		t.Fatalf("designate: %d", code)
	}
	var created struct{ Key string }
	if code := p.call(t, "POST", "/api/v1/seat-keys", mgr, map[string]any{"products": []string{"atlas"}}, &created); code != 201 {
		t.Fatalf("seat key: %d", code)
	}
	c, err := p.store.Contract(context.Background(), m.ContractID)
	if err != nil {
		t.Fatal(err)
	}
	// The day after the end; the manager signs in again (sessions follow
	// the clock too).
	portal.WithClock(func() time.Time { return c.Ends.Add(24 * time.Hour) })(p.svc)
	var s portal.Session
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": m.ID, "password": "a long enough passphrase"}, &s); code != 200 {
		t.Fatalf("sign-in after the end: %d", code)
	}
	tok := s.AccessToken
	ends := c.Ends.Format(time.DateOnly)

	tests := []struct {
		name, method, path string
		body               any
		ended              bool
	}{
		{"whoami", "GET", "/api/v1/me", nil, false},
		{"support", "GET", "/api/v1/support", nil, false},
		{"profile", "PATCH", "/api/v1/me", map[string]string{"name": "Ana"}, false},
		{"users-list", "GET", "/api/v1/users", nil, false},
		{"callers-list", "GET", "/api/v1/callers", nil, false},
		{"download", "GET", "/api/v1/packages/atlas-1.0.0.tar.gz", nil, true},
		{"seat-key", "POST", "/api/v1/seat-keys", map[string]any{"products": []string{"atlas"}}, true},
		{"add-user", "POST", "/api/v1/users", map[string]any{"email": "new@x.example"}, true},
		{"assign-product", "POST", "/api/v1/users/assign", map[string]any{"users": []string{bo}, "add_benefits": []string{"install"}}, true},
		{"designate-caller", "PUT", "/api/v1/callers/" + m.ID, nil, true},
		{"take-back-caller", "DELETE", "/api/v1/callers/" + bo, nil, false},
		{"take-away-product", "POST", "/api/v1/users/assign", map[string]any{"users": []string{bo}, "remove_products": []string{"atlas"}}, false},
		{"remove-user", "DELETE", "/api/v1/users/" + bo, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var prob Problem
			code := p.call(t, tc.method, tc.path, tok, tc.body, &prob)
			switch {
			case tc.ended && (code != 403 || prob.Code != "contract_ended" || !strings.Contains(prob.Detail, ends)):
				t.Errorf("%d %+v, want 403 contract_ended naming %s", code, prob, ends)
			case !tc.ended && code >= 300:
				t.Errorf("%d %+v, want it to work after the end", code, prob)
			}
		})
	}
	t.Run("import", func(t *testing.T) {
		code, res := p.importCSV(t, tok, "email\nnew@x.example\n", false)
		if code != 403 || res["code"] != "contract_ended" {
			t.Errorf("%d %v", code, res)
		}
	})
	t.Run("seat-with-key", func(t *testing.T) {
		req, _ := http.NewRequest("POST", p.URL+"/api/v1/seats", strings.NewReader(`{"machine_id":"machine-0001","hostname":"pc","product":"atlas"}`))
		req.Header.Set("Authorization", "SeatKey "+created.Key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var prob Problem
		b, _ := io.ReadAll(resp.Body)
		decodeJSON(b, &prob)
		if resp.StatusCode != 403 || prob.Code != "contract_ended" {
			t.Errorf("%d %+v", resp.StatusCode, prob)
		}
	})
}
