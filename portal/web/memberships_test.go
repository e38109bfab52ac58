package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

// memberSession is a session acting on one of its person's contracts.
type memberSession struct{ token, contractID string }

// callOn is call with the contract the request acts on.
func (p *testPortal) callOn(t testing.TB, method, path string, as memberSession, body any, out any) int {
	token, contractID := as.token, as.contractID
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contractID != "" {
		req.Header.Set(api.ContractHeader, contractID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		json.Unmarshal(data, out)
	}
	return resp.StatusCode
}

// emailsTo are the outbox's emails of a kind to an address.
func (p *testPortal) emailsTo(t testing.TB, to, kind string) []portal.Email {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	var got []portal.Email
	for _, e := range out {
		if e.To == to && e.Kind == kind {
			got = append(got, e)
		}
	}
	return got
}

// One person, two contracts, over HTTP: contract A creates Ana; B's
// manager adds her and she gets the existing-user start email (her ID, no
// password); one sign-in shows both contracts; what she downloads and the
// seats she registers count against the contract she names; A removing
// her leaves her B membership and her session working.
func TestOnePersonTwoContracts(t *testing.T) {
	p := newTestPortal(t)
	a, am := p.admin(t, "mgr@a.example", "atlas", "quill")
	b, bm := p.admin(t, "mgr@b.example", "atlas", "quill")
	var added portal.Change
	if code := p.call(t, "POST", "/api/v1/users", a, map[string]any{"email": "ana@consult.example", "name": "Ana", "role": "user",
		"products": []string{"quill"}}, &added); code != 201 || added.Action != "create" {
		t.Fatalf("A adds Ana: %d %+v", code, added)
	}
	ana := added.UserID
	starts := p.emailsTo(t, "ana@consult.example", "start")
	if len(starts) != 1 {
		t.Fatalf("Ana's start emails: %+v", starts)
	}
	token := p.activate(t, ana, tempPassRe.FindStringSubmatch(starts[0].Body)[1])

	if code := p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "ANA@consult.example", "name": "Ana", "role": "software_coordinator",
		"products": []string{"atlas"}, "benefits": []string{"download", "install"}}, &added); code != 201 || added.Action != "create" || added.UserID != ana {
		t.Fatalf("B adds Ana: %d %+v, want a create with her ID %s", code, added, ana)
	}
	if got := p.emailsTo(t, "ana@consult.example", "start"); len(got) != 1 {
		t.Errorf("B's addition sent a second start email (a new password): %d", len(got))
	}
	existing := p.emailsTo(t, "ana@consult.example", "start_existing")
	if len(existing) != 1 {
		t.Fatalf("existing-user start emails: %+v", existing)
	}
	for _, part := range []string{existing[0].Body, existing[0].HTML} {
		if !strings.Contains(part, ana) || !strings.Contains(part, "/start?t=") || !strings.Contains(part, "Example mgr@b.example") {
			t.Errorf("the existing-user start email lacks her ID, the link or the company:\n%s", part)
		}
		if strings.Contains(strings.ToLower(part), "temporary password") {
			t.Errorf("the existing-user start email speaks of a password:\n%s", part)
		}
	}
	// Her password still works: B set nothing.
	if code, _, prob := signIn(p, ana, "a long enough passphrase"); code != 200 {
		t.Fatalf("Ana's own password after B added her: %d %+v", code, prob)
	}

	var me api.Me
	if code := p.call(t, "GET", "/api/v1/me", token, nil, &me); code != 200 {
		t.Fatalf("me: %d", code)
	}
	if len(me.Memberships) != 2 || me.Memberships[0].ContractID != am.ContractID || me.Memberships[1].ContractID != bm.ContractID {
		t.Fatalf("memberships %+v, want A then B", me.Memberships)
	}
	if m := me.Memberships[1]; m.Role != portal.RoleCoordinator || !slices.Equal(m.Products, []string{"atlas"}) || m.Status != "active" || m.Company != "Example mgr@b.example" {
		t.Errorf("B's membership: %+v", m)
	}
	if me.User.ContractID != am.ContractID || me.User.Role != portal.RoleUser {
		t.Errorf("without the header /me acts on the oldest membership: %+v", me.User)
	}
	if code := p.callOn(t, "GET", "/api/v1/me", memberSession{token: token, contractID: bm.ContractID}, nil, &me); code != 200 || me.User.ContractID != bm.ContractID ||
		me.User.Role != portal.RoleCoordinator || me.Contract.ID != bm.ContractID || len(me.Memberships) != 2 {
		t.Fatalf("me on B: %d %+v", code, me)
	}

	// Downloads: atlas with download is hers on B only.
	pkg := "/api/v1/packages/atlas-1.0.0.tar.gz"
	if code := p.call(t, "GET", pkg, token, nil, nil); code != 403 {
		t.Errorf("a download on A (no download there): %d", code)
	}
	if code := p.callOn(t, "GET", pkg, memberSession{token: token, contractID: bm.ContractID}, nil, nil); code != 200 {
		t.Errorf("a download on B: %d", code)
	}
	// Seats: a key she makes on B registers seats of B.
	var key struct {
		Key string `json:"key"`
	}
	if code := p.callOn(t, "POST", "/api/v1/seat-keys", memberSession{token: token, contractID: bm.ContractID}, map[string]any{"products": []string{"atlas"}}, &key); code != 201 || key.Key == "" {
		t.Fatalf("seat key on B: %d", code)
	}
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/seats", strings.NewReader(`{"machine_id":"machine-0001","hostname":"pc1","product":"atlas"}`))
	req.Header.Set("Authorization", "SeatKey "+key.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("seat registration: %d", resp.StatusCode)
	}
	for _, c := range []struct {
		id   string
		want int
	}{{am.ContractID, 0}, {bm.ContractID, 1}} {
		seats, err := p.store.Seats(context.Background(), c.id)
		if err != nil || len(seats) != c.want {
			t.Errorf("seats of %s: %+v %v, want %d", c.id, seats, err, c.want)
		}
	}

	// A removes her: her B membership, account and session stay.
	if code := p.call(t, "DELETE", "/api/v1/users/"+ana, a, nil, nil); code != 204 {
		t.Fatalf("A removes Ana: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/me", token, nil, &me); code != 200 || len(me.Memberships) != 1 || me.User.ContractID != bm.ContractID {
		t.Fatalf("me after A removed her: %d %+v", code, me)
	}
	var prob Problem
	if code := p.callOn(t, "GET", "/api/v1/me", memberSession{token: token, contractID: am.ContractID}, nil, &prob); code != 403 || prob.Code != api.ProblemNotMember {
		t.Errorf("a request naming A after the removal: %d %+v", code, prob)
	}
	if code := p.callOn(t, "GET", pkg, memberSession{token: token, contractID: bm.ContractID}, nil, nil); code != 200 {
		t.Errorf("a download on B after A removed her: %d", code)
	}
	var users []*portal.User
	p.call(t, "GET", "/api/v1/users", a, nil, &users)
	for _, u := range users {
		if u.ID == ana {
			t.Errorf("A still lists Ana")
		}
	}
	// B removing her too removes the account: nothing is left to sign in to.
	if code := p.call(t, "DELETE", "/api/v1/users/"+ana, b, nil, nil); code != 204 {
		t.Fatalf("B removes Ana: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/me", token, nil, nil); code != 401 {
		t.Errorf("Ana's session after her last contract removed her: %d", code)
	}
	if _, err := p.store.User(context.Background(), ana); err == nil {
		t.Errorf("Ana's account outlived her last membership")
	}
}

// A contract the person is not in is refused the same way whether it
// exists or not.
func TestContractHeaderNotMember(t *testing.T) {
	p := newTestPortal(t)
	a, _ := p.admin(t, "mgr@a.example", "atlas")
	_, bm := p.admin(t, "mgr@b.example", "atlas")
	for name, contract := range map[string]string{"another-contract": bm.ContractID, "no-such-contract": "CZZZZZZZZ",
		"garbage": strings.Repeat("\u00e9", 40), "too-long": strings.Repeat("C", 200)} {
		t.Run(name, func(t *testing.T) {
			var prob Problem
			if code := p.callOn(t, "GET", "/api/v1/users", memberSession{token: a, contractID: contract}, nil, &prob); code != 403 || prob.Code != api.ProblemNotMember ||
				prob.Detail != portal.ErrNotMember.Error() {
				t.Errorf("%d %+v", code, prob)
			}
		})
	}
}

// Whether an address has an account elsewhere is never told: adding it,
// importing it, or a dry run answers as for a new address, field for
// field, and the person joins with the account they have.
func TestAddressWithAccountGivesNoSignal(t *testing.T) {
	p := newTestPortal(t)
	a, _ := p.admin(t, "mgr@a.example", "atlas")
	if code, out := p.importCSV(t, a, "email,name\nbo@acme.example,Bo\n", false); code != 200 {
		t.Fatalf("import on contract A: %d %v", code, out)
	}
	bo, err := p.store.UserByLogin(context.Background(), "bo@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.admin(t, "mgr@b.example", "atlas")

	// shape is an answer with its IDs taken out.
	shape := func(v any) string {
		s, _ := json.Marshal(v)
		out := string(s)
		for _, id := range userIDRe.FindAllString("User ID: "+strings.Join(idsIn(out), "\nUser ID: "), -1) {
			out = strings.ReplaceAll(out, strings.TrimPrefix(id, "User ID: "), "ID")
		}
		return out
	}
	t.Run("dry-run-import", func(t *testing.T) {
		known, _ := p.importCSV(t, b, "email,name\nbo@acme.example,Bo\n", true)
		unknown, _ := p.importCSV(t, b, "email,name\nbo@new.example,Bo\n", true)
		_, kOut := p.importCSV(t, b, "email,name\nbo@acme.example,Bo\n", true)
		_, uOut := p.importCSV(t, b, "email,name\nbo@new.example,Bo\n", true)
		if known != unknown || strings.ReplaceAll(shape(kOut), "acme", "new") != shape(uOut) {
			t.Errorf("a dry run tells an address with an account:\n%d %s\n%d %s", known, shape(kOut), unknown, shape(uOut))
		}
	})
	t.Run("add", func(t *testing.T) {
		var known, unknown map[string]any
		kCode := p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "Bo@ACME.example", "name": "Bo", "role": "user"}, &known)
		uCode := p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "Cy@NEW.example", "name": "Bo", "role": "user"}, &unknown)
		if kCode != 201 || kCode != uCode || strings.ReplaceAll(strings.ReplaceAll(shape(known), "bo@acme", "x"), "cy@new", "x") !=
			strings.ReplaceAll(strings.ReplaceAll(shape(unknown), "bo@acme", "x"), "cy@new", "x") {
			t.Errorf("adding tells an address with an account:\n%d %s\n%d %s", kCode, shape(known), uCode, shape(unknown))
		}
		if known["user_id"] != bo.ID {
			t.Errorf("Bo joined B as %v, want his account %s", known["user_id"], bo.ID)
		}
	})
	// One account: sign-in by email still finds him, on A first.
	if u, err := p.store.UserByLogin(context.Background(), "bo@acme.example"); err != nil || u.ID != bo.ID {
		t.Errorf("Bo's sign-in by email: %+v %v", u, err)
	}
	ms, err := p.store.Memberships(context.Background(), bo.ID)
	if err != nil || len(ms) != 2 {
		t.Errorf("Bo's memberships: %+v %v", ms, err)
	}
}

// idsIn are the user IDs a JSON text holds.
func idsIn(s string) []string {
	var ids []string
	for i := 0; i+9 <= len(s); i++ {
		if s[i] == 'U' && (i == 0 || s[i-1] == '"') && i+9 < len(s) && s[i+9] == '"' {
			ids = append(ids, s[i:i+9])
		}
	}
	return ids
}

// An address another contract took (a squatter adding a company's
// employee with nothing) does not block the company: it adds its own
// person, who joins with the account. A person already on this contract
// is reported as this contract's, as before; a name that differs is
// reported and not applied, and only to this contract's admin.
func TestSquattedAddressDoesNotBlock(t *testing.T) {
	p := newTestPortal(t)
	squatter, _ := p.admin(t, "mgr@squat.example", "atlas")
	real, rm := p.admin(t, "mgr@real.example", "atlas")
	var ch portal.Change
	if code := p.call(t, "POST", "/api/v1/users", squatter, map[string]any{"email": "eve@real.example", "name": "Someone Else", "role": "user"}, &ch); code != 201 {
		t.Fatalf("squat: %d", code)
	}
	eve := ch.UserID
	if code := p.call(t, "POST", "/api/v1/users", real, map[string]any{"email": "eve@real.example", "name": "Ève Dupont", "role": "user",
		"products": []string{"atlas"}, "benefits": []string{"download"}}, &ch); code != 201 || ch.Action != "create" || ch.UserID != eve || ch.NameDiffers != "" {
		t.Fatalf("the real company adds its employee: %d %+v", code, ch)
	}
	// The company adds her again, under another spelling: this contract's
	// own member, not renamed, the difference reported.
	if code := p.call(t, "POST", "/api/v1/users", real, map[string]any{"email": "eve@real.example", "name": "Eve Dupont", "role": "user"}, &ch); code != 201 ||
		ch.Action != "unchanged" || ch.UserID != eve || ch.NameDiffers != "Someone Else" {
		t.Fatalf("the company adds her again: %d %+v", code, ch)
	}
	if u := mustUser(t, p, eve); u.Name != "Someone Else" {
		t.Errorf("an addition renamed her: %q", u.Name)
	}
	// In one import, twice: a duplicate of this file, as before.
	code, out := p.importCSV(t, real, "email,name\neve@real.example,Eve\nEVE@real.example,Eve\n", true)
	if code != 422 || !strings.Contains(shapeOf(out), api.RowDuplicateEmail) {
		t.Errorf("a line twice: %d %v", code, out)
	}
	m, err := p.store.Member(context.Background(), eve, rm.ContractID)
	if err != nil || !slices.Equal(m.Products, []string{"atlas"}) {
		t.Errorf("her membership of the real company: %+v %v", m, err)
	}
}

func shapeOf(v any) string { s, _ := json.Marshal(v); return string(s) }

// What a person may be changed by, and what their start page shows, is
// the membership's: a user on A who manages B is protected on B from B's
// coordinators, and B's start link shows B.
func TestMembershipIsTheContracts(t *testing.T) {
	p := newTestPortal(t)
	a, _ := p.admin(t, "mgr@a.example", "atlas")
	b, _ := p.admin(t, "mgr@b.example", "atlas")
	if code := p.call(t, "POST", "/api/v1/users", a, map[string]any{"email": "zoe@consult.example", "name": "Zoé", "role": "user"}, nil); code != 201 {
		t.Fatalf("A adds Zoé: %d", code)
	}
	var zoe portal.Change
	if code := p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "zoe@consult.example", "role": "contract_manager"}, &zoe); code != 201 {
		t.Fatalf("B adds Zoé as a manager: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "cy@b.example", "name": "Cy", "role": "software_coordinator"}, nil); code != 201 {
		t.Fatalf("B adds Cy: %d", code)
	}
	cy := p.activateUser(t, "cy@b.example")
	var prob Problem
	if code := p.call(t, "PUT", "/api/v1/callers/"+zoe.UserID, cy, nil, &prob); code != 403 || prob.Code != "manager_protected" {
		t.Errorf("B's coordinator designates B's manager (a user on A): %d %+v", code, prob)
	}
	existing := p.emailsTo(t, "zoe@consult.example", "start_existing")
	if len(existing) != 1 {
		t.Fatalf("Zoé's existing-user start emails: %d", len(existing))
	}
	// A new start email from B: B's coordinator may not send one to B's
	// manager; B's manager sends the existing-user one, no password.
	if code := p.call(t, "POST", "/api/v1/users/"+zoe.UserID+"/start-email", cy, nil, &prob); code != 403 || prob.Code != "manager_protected" {
		t.Errorf("B's coordinator resends to B's manager: %d %+v", code, prob)
	}
	var sent portal.StartEmailSent
	if code := p.call(t, "POST", "/api/v1/users/"+zoe.UserID+"/start-email", b, nil, &sent); code != 202 || sent.UserID != zoe.UserID || !sent.Expires.IsZero() {
		t.Errorf("B's manager resends to Zoé: %d %+v", code, sent)
	}
	if n, starts := len(p.emailsTo(t, "zoe@consult.example", "start_existing")), p.emailsTo(t, "zoe@consult.example", "start"); n != 2 || len(starts) != 1 {
		t.Errorf("after B's resend: %d existing-user start emails, %d start emails (a new password)", n, len(starts))
	}
	link := existing[0].Body[strings.Index(existing[0].Body, p.svc.PublicURL+"/start?t="):]
	link = strings.TrimPrefix(link[:strings.IndexByte(link, '\n')], p.svc.PublicURL)
	resp, err := http.Get(p.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Example mgr@b.example") || strings.Contains(string(page), "Example mgr@a.example") {
		t.Errorf("B's start link shows: %d\n%s", resp.StatusCode, page)
	}
}

// A notice is about one membership: changes on A and on B within the
// notice delay make one email each, each about its own contract, not one
// replacing the other.
func TestNoticesPerMembership(t *testing.T) {
	p := newTestPortal(t)
	portal.WithNoticeDelay(time.Hour)(p.svc) // both wait
	a, _ := p.admin(t, "mgr@a.example", "atlas")
	b, _ := p.admin(t, "mgr@b.example", "atlas")
	var ana portal.Change
	for _, admin := range []string{a, b} {
		if code := p.call(t, "POST", "/api/v1/users", admin, map[string]any{"email": "ana@consult.example", "name": "Ana", "role": "user"}, &ana); code != 201 {
			t.Fatalf("add Ana: %d", code)
		}
	}
	for _, admin := range []string{a, b} {
		if code := p.call(t, "POST", "/api/v1/users/assign", admin, map[string]any{"users": []string{ana.UserID}, "add_products": []string{"atlas"}}, nil); code != 200 {
			t.Fatalf("assign: %d", code)
		}
	}
	notices := p.emailsTo(t, "ana@consult.example", "benefits_changed")
	if len(notices) != 2 || !strings.Contains(notices[0].Body, "Example mgr@a.example") || !strings.Contains(notices[1].Body, "Example mgr@b.example") {
		t.Errorf("notices: %d, want one about A and one about B", len(notices))
	}
}
