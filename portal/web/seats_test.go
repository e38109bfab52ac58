package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// seatWithKey registers a machine with a deployment's seat key.
func (p *testPortal) seatWithKey(t *testing.T, key, machine, product string) (int, Problem) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/seats", strings.NewReader(`{"machine_id":"`+machine+`","hostname":"pc-`+machine+`","product":"`+product+`"}`))
	req.Header.Set("Authorization", "SeatKey "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pr Problem
	b, _ := io.ReadAll(resp.Body)
	decodeJSON(b, &pr)
	return resp.StatusCode, pr
}

// Seats are taken by deployments (their seat keys) only, and admins give
// them back: list and release seats, list and revoke seat keys.
func TestSeatsAreAdministered(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas") // 5 atlas seats
	_, out := p.importCSV(t, mgr, "email,role,products,benefits\ncoord@x.example,software_coordinator,atlas,download\nuser@x.example,user,atlas,download\n", false)
	emails, _ := p.store.Outbox(context.Background(), true)
	tokens := map[string]string{"manager": mgr}
	for _, c := range out["changes"].([]any) {
		ch := c.(map[string]any)
		for _, e := range emails {
			if e.To == ch["email"] && e.Kind == "start" {
				tokens[strings.Split(ch["email"].(string), "@")[0]] = p.activate(t, ch["user_id"].(string), tempPassRe.FindStringSubmatch(e.Body)[1])
			}
		}
	}
	other, _ := p.admin(t, "other@y.example", "atlas")

	// A signed-in person cannot take seats, however entitled.
	for _, role := range []string{"user", "coord", "manager"} {
		var prob Problem
		code := p.call(t, "POST", "/api/v1/seats", tokens[role], map[string]string{"machine_id": "fake-machine-" + role, "hostname": "x", "product": "atlas"}, &prob)
		if code != 403 || prob.Code != "seat_key_required" {
			t.Errorf("%s registers a seat with a session: %d %+v", role, code, prob)
		}
	}
	var created struct{ Key string }
	if code := p.call(t, "POST", "/api/v1/seat-keys", mgr, map[string]any{"products": []string{"atlas"}}, &created); code != 201 {
		t.Fatalf("seat key: %d", code)
	}
	for i := 1; i <= 5; i++ {
		if code, pr := p.seatWithKey(t, created.Key, fmt.Sprintf("machine-%04d", i), "atlas"); code != 200 {
			t.Fatalf("seat %d: %d %+v", i, code, pr)
		}
	}
	if code, pr := p.seatWithKey(t, created.Key, "machine-0006", "atlas"); code != 409 || pr.Code != "no_seats" {
		t.Fatalf("a sixth seat: %d %+v", code, pr)
	}

	// Listing: admins of the contract only.
	var seats []portal.Seat
	for role, want := range map[string]int{"user": 403, "coord": 200, "manager": 200} {
		if code := p.call(t, "GET", "/api/v1/seats", tokens[role], nil, &seats); code != want {
			t.Errorf("%s lists seats: %d, want %d", role, code, want)
		}
	}
	if len(seats) != 5 || seats[0].ID == "" || seats[0].Hostname == "" || !strings.HasPrefix(seats[0].RegisteredBy, "seat-key:") {
		t.Fatalf("seats: %+v", seats)
	}
	var others []portal.Seat
	p.call(t, "GET", "/api/v1/seats", other, nil, &others)
	if len(others) != 0 {
		t.Errorf("another contract's admin sees %d seats", len(others))
	}

	// Releasing: another contract cannot, a user cannot, a coordinator can.
	victim := seats[0].ID
	tests := []struct {
		name, as string
		want     int
	}{
		{"other-contract", "other", 404},
		{"plain-user", "user", 403},
		{"coordinator", "coord", 204},
		{"again", "manager", 404},
	}
	tokens["other"] = other
	for _, tc := range tests {
		if code := p.call(t, "DELETE", "/api/v1/seats/"+victim, tokens[tc.as], nil, nil); code != tc.want {
			t.Errorf("release as %s: %d, want %d", tc.name, code, tc.want)
		}
	}
	if code, pr := p.seatWithKey(t, created.Key, "machine-0006", "atlas"); code != 200 {
		t.Errorf("the released seat is not free: %d %+v", code, pr)
	}

	// Seat keys: listed without the key itself, revoked by an admin.
	var keys []portal.SeatKey
	if code := p.call(t, "GET", "/api/v1/seat-keys", mgr, nil, &keys); code != 200 || len(keys) != 1 || keys[0].ID == "" || keys[0].Seats != 5 {
		t.Fatalf("keys: %d %+v", code, keys)
	}
	if code := p.call(t, "GET", "/api/v1/seat-keys", tokens["user"], nil, nil); code != 403 {
		t.Errorf("a user lists seat keys: %d", code)
	}
	for _, tc := range []struct {
		as   string
		want int
	}{{"user", 403}, {"other", 404}, {"coord", 204}} {
		if code := p.call(t, "DELETE", "/api/v1/seat-keys/"+keys[0].ID, tokens[tc.as], nil, nil); code != tc.want {
			t.Errorf("revoke as %s: %d, want %d", tc.as, code, tc.want)
		}
	}
	if code, pr := p.seatWithKey(t, created.Key, "machine-0007", "atlas"); code != 401 {
		t.Errorf("a revoked key registers: %d %+v", code, pr)
	}
	p.call(t, "GET", "/api/v1/seat-keys", mgr, nil, &keys)
	if !keys[0].Revoked {
		t.Errorf("the key is not shown revoked: %+v", keys[0])
	}
	audit, _ := p.store.Audit(context.Background(), m.ContractID, 100)
	kinds := map[string]bool{}
	for _, a := range audit {
		kinds[a.Action] = true
	}
	for _, k := range []string{"seat.release", "seat_key.revoke"} {
		if !kinds[k] {
			t.Errorf("audit lacks %s", k)
		}
	}
}
