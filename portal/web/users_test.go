package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// admin signs in a new contract's manager, past the password change.
func (p *testPortal) admin(t testing.TB, email string, products ...string) (string, *portal.User) {
	t.Helper()
	uid, temp := p.newContract(t, email, products...)
	return p.activate(t, uid, temp), mustUser(t, p, uid)
}

func mustUser(t testing.TB, p *testPortal, id string) *portal.User {
	u, err := p.store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// activate does the first sign-in and returns a full session's token.
func (p *testPortal) activate(t testing.TB, uid, temp string) string {
	t.Helper()
	var s portal.Session
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &s)
	if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": "a long enough passphrase"}, nil); code != 204 {
		t.Fatalf("password change: %d", code)
	}
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a long enough passphrase"}, &s)
	return s.AccessToken
}

func (p *testPortal) importCSV(t testing.TB, token, csv string, dry bool) (int, map[string]any) {
	t.Helper()
	path := "/api/v1/users/import"
	if dry {
		path += "?dry_run=true"
	}
	req, _ := http.NewRequest("POST", p.URL+path, strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	decodeJSON(b, &out)
	return resp.StatusCode, out
}

const goodCSV = "email,name,role,products,benefits\n" +
	"bo@acme.example,Bo,user,atlas,download;install\n" +
	"cy@acme.example,\"Cy, Jr.\",software_coordinator,atlas;quill,download\n" +
	"di@acme.example,Di,,quill,\n"

func TestImport(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "mgr@acme.example", "atlas", "quill")
	before, _ := p.store.Outbox(context.Background(), false)

	code, out := p.importCSV(t, token, goodCSV, true)
	if code != 200 || len(out["changes"].([]any)) != 3 || out["dry_run"] != true {
		t.Fatalf("dry run: %d %v", code, out)
	}
	if users, _ := p.store.ListUsers(context.Background(), mustUser(t, p, userOf(t, p, token)).ContractID); len(users) != 1 {
		t.Fatalf("a dry run changed the users: %d", len(users))
	}
	code, out = p.importCSV(t, token, "\xef\xbb\xbf"+goodCSV, false)
	if code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	after, _ := p.store.Outbox(context.Background(), false)
	if len(after)-len(before) != 3 {
		t.Errorf("%d emails queued, want 3 start emails", len(after)-len(before))
	}
	var users []*portal.User
	p.call(t, "GET", "/api/v1/users", token, nil, &users)
	if len(users) != 4 {
		t.Fatalf("users %d", len(users))
	}
	ids := map[string]string{}
	for _, u := range users {
		ids[u.Email] = u.ID
	}
	// The same file again changes nothing.
	_, out = p.importCSV(t, token, goodCSV, false)
	for _, c := range out["changes"].([]any) {
		if c.(map[string]any)["action"] != "unchanged" {
			t.Errorf("re-import changed %v", c)
		}
	}
	again, _ := p.store.Outbox(context.Background(), false)
	if len(again) != len(after) {
		t.Error("re-import queued emails")
	}
	// A second file gives Bo quill: same user ID, a notice email.
	_, out = p.importCSV(t, token, "email,products\nbo@acme.example,quill\n", false)
	ch := out["changes"].([]any)[0].(map[string]any)
	if ch["action"] != "update" || ch["user_id"] != ids["bo@acme.example"] {
		t.Errorf("update %v", ch)
	}
	last, _ := p.store.Outbox(context.Background(), false)
	if last[len(last)-1].Kind != "benefits_changed" {
		t.Errorf("no notice: %+v", last[len(last)-1])
	}
}

func userOf(t *testing.T, p *testPortal, token string) string {
	var me portal.Me
	p.call(t, "GET", "/api/v1/me", token, nil, &me)
	return me.User.ID
}

func TestHostileCSV(t *testing.T) {
	tests := []struct {
		name, csv string
		line      int
		reason    string
	}{
		{"bad-email", "email,products\nnot-an-email,atlas\n", 2, "not an email address"},
		{"unknown-product", "email,products\na@x.example,photoshop\n", 2, `product "photoshop" is not in contract`},
		{"duplicate", "email\na@x.example\nb@x.example\nA@x.example\n", 4, "already on line 2"},
		{"quoting", "email,name\na@x.example,\"unclosed\nb@x.example,x\n", 2, "quoting"},
		{"unknown-benefit", "email,benefits\na@x.example,free_lunch\n", 2, "unknown benefit"},
		{"bad-role", "email,role\na@x.example,admin\n", 2, "role \"admin\""},
		{"unknown-column", "email,colour\na@x.example,red\n", 1, "unknown column"},
		{"no-header", "a@x.example,atlas\n", 1, "first line must name the columns"},
		{"more-users-than-seats", "email,products\n" + strings.Repeat("", 0) + seatRows(6), 2, "atlas: 7 users for 5 seats"},
		{"injection-looking", "email,name\na@x.example,\"=cmd|' /C calc'!A0\"\nb@x.example,'; DROP TABLE users; --\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPortal(t)
			token, _ := p.admin(t, "mgr@x.example", "atlas")
			code, out := p.importCSV(t, token, tt.csv, false)
			if tt.reason == "" {
				if code != 200 {
					t.Fatalf("harmless text refused: %d %v", code, out)
				}
				return
			}
			if code != 422 {
				t.Fatalf("accepted: %d %v", code, out)
			}
			found := false
			for _, r := range out["rows"].([]any) {
				row := r.(map[string]any)
				if int(row["line"].(float64)) == tt.line && strings.Contains(row["reason"].(string), tt.reason) {
					found = true
				}
			}
			if !found {
				t.Errorf("no line %d %q in %v", tt.line, tt.reason, out["rows"])
			}
			var users []*portal.User
			p.call(t, "GET", "/api/v1/users", token, nil, &users)
			if len(users) != 1 {
				t.Errorf("a refused import added users: %d", len(users))
			}
		})
	}
}

func seatRows(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "u%d@x.example,atlas\n", i)
	}
	return b.String()
}

// Two admins import at once: each import sees the other's result, and the
// seats are never exceeded.
func TestConcurrentImports(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas") // 5 seats; the manager takes one
	_, out := p.importCSV(t, mgr, "email,role,products\ncoord@x.example,software_coordinator,\n", false)
	coordID := out["changes"].([]any)[0].(map[string]any)["user_id"].(string)
	emails, _ := p.store.Outbox(context.Background(), true)
	temp := tempPassRe.FindStringSubmatch(emails[len(emails)-1].Body)[1]
	coord := p.activate(t, coordID, temp)

	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, tok := range []string{mgr, coord} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b strings.Builder
			b.WriteString("email,products\n")
			for j := range 3 {
				fmt.Fprintf(&b, "admin%d-user%d@x.example,atlas\n", i, j)
			}
			codes[i], _ = p.importCSV(t, tok, b.String(), false)
		}()
	}
	wg.Wait()
	users, _ := p.store.ListUsers(context.Background(), m.ContractID)
	withAtlas := 0
	for _, u := range users {
		for _, pr := range u.Products {
			if pr == "atlas" {
				withAtlas++
			}
		}
	}
	if withAtlas > 5 {
		t.Fatalf("%d users hold atlas for 5 seats", withAtlas)
	}
	ok := 0
	for _, c := range codes {
		if c == 200 {
			ok++
		}
	}
	if ok != 1 || withAtlas != 4 {
		t.Errorf("codes %v, %d atlas users: want exactly one import through (1 + 3)", codes, withAtlas)
	}
}

func TestCallersSupportSeats(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas") // advanced plan, cap 2
	_, out := p.importCSV(t, mgr, "email,products\na@x.example,atlas\nb@x.example,atlas\nc@x.example,\n", false)
	var ids []string
	for _, c := range out["changes"].([]any) {
		ids = append(ids, c.(map[string]any)["user_id"].(string))
	}
	for _, id := range ids[:2] {
		if code := p.call(t, "PUT", "/api/v1/callers/"+id, mgr, nil, nil); code != 204 {
			t.Fatalf("designate %s: %d", id, code)
		}
	}
	var prob Problem
	if code := p.call(t, "PUT", "/api/v1/callers/"+ids[2], mgr, nil, &prob); code != 409 || prob.Code != "caller_cap" {
		t.Fatalf("third caller: %d %+v", code, prob)
	}
	var callers struct {
		Callers []string
		Cap     int
	}
	p.call(t, "GET", "/api/v1/callers", mgr, nil, &callers)
	if len(callers.Callers) != 2 || callers.Cap != 2 {
		t.Errorf("callers %+v", callers)
	}
	// Support shows the phone to callers only.
	var sup portal.Support
	p.call(t, "GET", "/api/v1/support", mgr, nil, &sup)
	if sup.Phone != "" || sup.Note == "" {
		t.Errorf("a non-caller sees %+v", sup)
	}
	p.call(t, "PUT", "/api/v1/callers/"+m.ID, mgr, nil, nil) // over the cap
	p.call(t, "DELETE", "/api/v1/callers/"+ids[0], mgr, nil, nil)
	if code := p.call(t, "PUT", "/api/v1/callers/"+m.ID, mgr, nil, nil); code != 204 {
		t.Fatalf("designate self after a removal: %d", code)
	}
	p.call(t, "GET", "/api/v1/support", mgr, nil, &sup)
	if sup.Phone == "" {
		t.Errorf("a caller sees no phone: %+v", sup)
	}
	// Profile.
	var me portal.Me
	if code := p.call(t, "PATCH", "/api/v1/me", mgr, map[string]string{"name": "Ana Manager", "phone": "+33 6 00"}, &me); code != 200 || me.User.Name != "Ana Manager" {
		t.Errorf("profile %d %+v", code, me.User)
	}
	// Seats, taken with a deployment's seat key: 5 for atlas; one machine
	// counts once.
	var created struct{ Key string }
	if code := p.call(t, "POST", "/api/v1/seat-keys", mgr, map[string]any{"products": []string{"atlas"}}, &created); code != 201 {
		t.Fatalf("seat key: %d", code)
	}
	for i := range 5 {
		if code, pr := p.seatWithKey(t, created.Key, fmt.Sprintf("machine-%04d", i), "atlas"); code != 200 {
			t.Fatalf("seat %d: %d %+v", i, code, pr)
		}
	}
	if code, _ := p.seatWithKey(t, created.Key, "machine-0000", "atlas"); code != 200 {
		t.Errorf("the same machine again: %d", code)
	}
	if code, prob := p.seatWithKey(t, created.Key, "machine-9999", "atlas"); code != 409 || prob.Code != "no_seats" {
		t.Errorf("a sixth machine: %d %+v", code, prob)
	}
	// Standard contracts have no callers.
	std, _ := p.newStandardContract(t)
	if code := p.call(t, "PUT", "/api/v1/callers/"+userOf(t, p, std), std, nil, &prob); code != 422 {
		t.Errorf("caller on a standard contract: %d", code)
	}
	audit, _ := p.store.Audit(context.Background(), m.ContractID, 100)
	kinds := map[string]bool{}
	for _, a := range audit {
		kinds[a.Action] = true
	}
	for _, k := range []string{"contract.create", "user.create", "caller.add", "caller.remove", "user.profile", "seat.register", "user.password"} {
		if !kinds[k] {
			t.Errorf("audit lacks %s: %v", k, kinds)
		}
	}
}

func (p *testPortal) newStandardContract(t *testing.T) (string, *portal.User) {
	_, m, err := p.svc.CreateContract(context.Background(), portal.ContractRequest{Company: "Std", ManagerEmail: "std@y.example", Products: []portal.Seats{{Product: "atlas", Seats: 1}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := p.store.Outbox(context.Background(), true)
	temp := tempPassRe.FindStringSubmatch(out[len(out)-1].Body)[1]
	return p.activate(t, m.ID, temp), m
}

// Every route, every role, and another contract's admin.
func TestAuthorizationMatrix(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas")
	// The coordinator holds install: a seat key is made by an admin who
	// may install (TestRightsMatrix has the admins who may not).
	_, out := p.importCSV(t, mgr, "email,role,products,benefits\ncoord@x.example,software_coordinator,atlas,download;install\nuser@x.example,user,atlas,download\n", false)
	var tokens = map[string]string{"manager": mgr}
	emails, _ := p.store.Outbox(context.Background(), true)
	for _, c := range out["changes"].([]any) {
		ch := c.(map[string]any)
		for _, e := range emails {
			if e.To == ch["email"] && e.Kind == "start" {
				tokens[strings.Split(ch["email"].(string), "@")[0]] = p.activate(t, ch["user_id"].(string), tempPassRe.FindStringSubmatch(e.Body)[1])
			}
		}
	}
	other, _ := p.admin(t, "intruder@y.example", "atlas")
	tokens["other-admin"] = other
	tokens["anonymous"] = ""
	userID := userOf(t, p, tokens["user"])

	routes := []struct {
		method, path string
		body         any
		allowed      []string // roles that get a 2xx
	}{
		{"GET", "/api/v1/me", nil, []string{"manager", "coord", "user", "other-admin"}},
		{"GET", "/api/v1/users", nil, []string{"manager", "coord", "other-admin"}},
		{"POST", "/api/v1/users/assign", map[string]any{"users": []string{userID}, "add_benefits": []string{"install"}}, []string{"manager", "coord"}},
		{"GET", "/api/v1/callers", nil, []string{"manager", "coord", "other-admin"}},
		{"PUT", "/api/v1/callers/" + userID, nil, []string{"manager", "coord"}},
		{"DELETE", "/api/v1/callers/" + userID, nil, []string{"manager", "coord"}},
		{"GET", "/api/v1/support", nil, []string{"manager", "coord", "user", "other-admin"}},
		{"GET", "/api/v1/packages/atlas-1.0.0.tar.gz", nil, []string{"manager", "coord", "user", "other-admin"}},
		{"GET", "/api/v1/packages/quill-1.0.0.tar.gz", nil, nil},
		{"POST", "/api/v1/seat-keys", map[string]any{"products": []string{"atlas"}}, []string{"manager", "coord", "other-admin"}},
		{"GET", "/api/v1/seat-keys", nil, []string{"manager", "coord", "other-admin"}},
		{"GET", "/api/v1/seats", nil, []string{"manager", "coord", "other-admin"}},
		{"POST", "/api/v1/seats", map[string]string{"machine_id": "machine-0001", "hostname": "pc", "product": "atlas"}, nil},
		{"DELETE", "/api/v1/seats/SNOSUCH23", nil, nil},
		{"DELETE", "/api/v1/seat-keys/000000000000", nil, nil},
		{"DELETE", "/api/v1/users/" + userID, nil, []string{"manager"}}, // last: removes the user
	}
	for _, r := range routes {
		for _, role := range []string{"anonymous", "user", "other-admin", "coord", "manager"} {
			code := p.call(t, r.method, r.path, tokens[role], r.body, nil)
			want := contains(r.allowed, role)
			if r.method == "DELETE" && strings.HasPrefix(r.path, "/api/v1/users/") {
				// Coordinators remove users too; the manager, asking next,
				// finds the user gone (404).
				want = role == "coord"
			}
			if got := code < 300; got != want {
				t.Errorf("%s %s as %s: %d, want allowed=%v", r.method, r.path, role, code, want)
			}
		}
	}
	// The other contract's admin sees only their own users.
	var users []*portal.User
	p.call(t, "GET", "/api/v1/users", other, nil, &users)
	for _, u := range users {
		if u.ContractID == m.ContractID {
			t.Errorf("another contract's admin sees %s", u.Email)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestRemoveRules(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas")
	var prob Problem
	if code := p.call(t, "DELETE", "/api/v1/users/"+m.ID, mgr, nil, &prob); code != 422 {
		t.Errorf("self-removal: %d %+v", code, prob)
	}
	err := p.svc.RemoveUser(context.Background(), mustUser(t, p, m.ID), "UNOSUCH23")
	if !errors.Is(err, portal.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
}

func decodeJSON(b []byte, v any) { _ = jsonUnmarshal(bytes.TrimSpace(b), v) }

// A deployment's seat key registers seats of its products, within the
// contract's seats, and can do nothing else.
func TestSeatKeys(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas", "quill")
	var created struct {
		Key      string    `json:"key"`
		Products []string  `json:"products"`
		Expires  time.Time `json:"expires"`
	}
	if code := p.call(t, "POST", "/api/v1/seat-keys", mgr, map[string]any{"products": []string{"atlas"}}, &created); code != 201 || !strings.HasPrefix(created.Key, portal.SeatKeyPrefix) {
		t.Fatalf("create: %d %+v", code, created)
	}
	var prob Problem
	if code := p.call(t, "POST", "/api/v1/seat-keys", mgr, map[string]any{"products": []string{"lumen"}}, &prob); code != 422 || !strings.Contains(prob.Detail, "lumen") {
		t.Errorf("a product off the contract: %d %+v", code, prob)
	}
	seat := func(key, machine, product string) (int, Problem) { return p.seatWithKey(t, key, machine, product) }
	tests := []struct {
		name, key, machine, product string
		want                        int
	}{
		{"first-seat", created.Key, "machine-0001", "atlas", 200},
		{"same-machine-again", created.Key, "machine-0001", "atlas", 200},
		{"product-not-in-key", created.Key, "machine-0001", "quill", 403},
		{"unknown-key", portal.SeatKeyPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "machine-0002", "atlas", 401},
		{"no-prefix", strings.TrimPrefix(created.Key, portal.SeatKeyPrefix), "machine-0002", "atlas", 401},
		{"short-machine-id", created.Key, "m1", "atlas", 422},
		{"seats-2-to-5", created.Key, "machine-0002", "atlas", 200},
	}
	for _, tc := range tests {
		if code, pr := seat(tc.key, tc.machine, tc.product); code != tc.want {
			t.Errorf("%s: %d %+v, want %d", tc.name, code, pr, tc.want)
		}
	}
	for i := 3; i <= 5; i++ {
		if code, pr := seat(created.Key, fmt.Sprintf("machine-%04d", i), "atlas"); code != 200 {
			t.Fatalf("seat %d: %d %+v", i, code, pr)
		}
	}
	if code, pr := seat(created.Key, "machine-0006", "atlas"); code != 409 || pr.Code != "no_seats" {
		t.Errorf("a sixth seat of five: %d %+v", code, pr)
	}
	// The key opens nothing else.
	for _, path := range []string{"/api/v1/me", "/api/v1/users", "/api/v1/packages/atlas-1.0.0.tar.gz"} {
		req, _ := http.NewRequest("GET", p.URL+path, nil)
		req.Header.Set("Authorization", "SeatKey "+created.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("GET %s with a seat key: %d, want 401", path, resp.StatusCode)
		}
	}
	// Only the key's hash is stored.
	db, _ := os.ReadFile(p.db)
	wal, _ := os.ReadFile(p.db + "-wal")
	token := strings.TrimPrefix(created.Key, portal.SeatKeyPrefix)
	if bytes.Contains(db, []byte(token)) || bytes.Contains(wal, []byte(token)) {
		t.Error("the seat key is stored in plain text")
	}
	audit, _ := p.store.Audit(context.Background(), m.ContractID, 100)
	var keyMade, byKey bool
	for _, a := range audit {
		keyMade = keyMade || a.Action == "seat_key.create"
		byKey = byKey || (a.Action == "seat.register" && strings.HasPrefix(a.Actor, "seat-key:"))
	}
	if !keyMade || !byKey {
		t.Errorf("audit: key created %v, seat by key %v", keyMade, byKey)
	}
}
