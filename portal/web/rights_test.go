package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

// person is one member of a test contract, signed in.
type person struct {
	id, token string
}

// signInFirst signs a new person in with the temporary password of their
// start email, chooses a password and signs in again.
func (p *testPortal) signInFirst(t testing.TB, uid, temp string) string {
	t.Helper()
	var s portal.Session
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &s); code != 200 {
		t.Fatalf("first sign-in of %s: %d", uid, code)
	}
	const pw = "a much longer password"
	if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": pw}, nil); code != 204 {
		t.Fatalf("password of %s: %d", uid, code)
	}
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": pw}, &s); code != 200 {
		t.Fatalf("sign-in of %s: %d", uid, code)
	}
	return s.AccessToken
}

// startEmail reads the newest start email to addr: the user ID and the
// temporary password.
func (p *testPortal) startEmail(t testing.TB, addr string) (uid, temp string) {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(out) - 1; i >= 0; i-- {
		if e := out[i]; e.To == addr && e.Kind == "start" {
			uid, pw := userIDRe.FindStringSubmatch(e.Body), tempPassRe.FindStringSubmatch(e.Body)
			if uid == nil || pw == nil {
				t.Fatalf("start email to %s lacks the user ID or password:\n%s", addr, e.Body)
			}
			return uid[1], pw[1]
		}
	}
	t.Fatalf("no start email to %s", addr)
	return "", ""
}

// addPerson has admin add someone to the contract and signs them in.
func (p *testPortal) addPerson(t testing.TB, admin, email string, role portal.Role, benefits ...string) person {
	t.Helper()
	var ch portal.Change
	if code := p.call(t, "POST", "/api/v1/users", admin, portal.NewUser{Email: email, Name: email, Role: role, Products: []string{"atlas"}, Benefits: append([]string{}, benefits...)}, &ch); code != 201 {
		t.Fatalf("add %s: %d", email, code)
	}
	uid, temp := p.startEmail(t, email)
	return person{id: uid, token: p.signInFirst(t, uid, temp)}
}

// registerSeat registers a machine with a seat key; the answer's status
// and problem code.
func (p *testPortal) registerSeat(t testing.TB, key, machine string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"machine_id": machine, "hostname": "host-" + machine, "product": "atlas"})
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/seats", bytes.NewReader(b))
	req.Header.Set("Authorization", "SeatKey "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var prob Problem
	json.NewDecoder(resp.Body).Decode(&prob)
	return resp.StatusCode, prob.Code
}

// TestRightsMatrix: role × benefits × designation × plan, against every
// action a right gates, over a real service: what each person is answered
// by the service, and what the client concludes from GET /me before it
// tries (the install check).
func TestRightsMatrix(t *testing.T) {
	p := newTestPortal(t)
	ctx := context.Background()
	// An advanced contract whose manager holds every benefit.
	if _, _, err := p.svc.CreateContract(ctx, portal.ContractRequest{Company: "Advanced Ltd", ManagerEmail: "mgr@adv.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 20}}, Plan: portal.PlanAdvanced, CallerCap: 4}, "test"); err != nil {
		t.Fatal(err)
	}
	mgrID, temp := p.startEmail(t, "mgr@adv.example")
	mgr := person{id: mgrID, token: p.signInFirst(t, mgrID, temp)}

	// A standard-plan contract whose manager holds every benefit.
	_, std, err := p.svc.CreateContract(ctx, portal.ContractRequest{Company: "Standard Ltd", ManagerEmail: "mgr@std.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 5}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	stdID, stdTemp := p.startEmail(t, "mgr@std.example")
	if stdID != std.ID {
		t.Fatalf("standard manager %s, start email for %s", std.ID, stdID)
	}
	stdMgr := person{id: stdID, token: p.signInFirst(t, stdID, stdTemp)}

	people := map[string]person{
		"manager, every benefit":          mgr,
		"standard manager, every benefit": stdMgr,
		"manager, no benefit":             p.addPerson(t, mgr.token, "mgr2@adv.example", portal.RoleManager),
		"coordinator, no benefit":         p.addPerson(t, mgr.token, "coord@adv.example", portal.RoleCoordinator),
		"coordinator, install":            p.addPerson(t, mgr.token, "coordi@adv.example", portal.RoleCoordinator, "install"),
		"user, no benefit":                p.addPerson(t, mgr.token, "none@adv.example", portal.RoleUser),
		"user, download":                  p.addPerson(t, mgr.token, "dl@adv.example", portal.RoleUser, "download"),
		"user, download install":          p.addPerson(t, mgr.token, "inst@adv.example", portal.RoleUser, "download", "install"),
		"user, web_support":               p.addPerson(t, mgr.token, "web@adv.example", portal.RoleUser, "web_support"),
		"user, phone_support, not caller": p.addPerson(t, mgr.token, "phone@adv.example", portal.RoleUser, "phone_support"),
		"user, caller without phone":      p.addPerson(t, mgr.token, "caller@adv.example", portal.RoleUser),
		"user, caller with phone_support": p.addPerson(t, mgr.token, "callerp@adv.example", portal.RoleUser, "phone_support"),
		"user, every benefit, not caller": p.addPerson(t, mgr.token, "all@adv.example", portal.RoleUser, "download", "install", "web_support", "phone_support"),
	}
	for _, name := range []string{"manager, every benefit", "user, caller without phone", "user, caller with phone_support"} {
		if code := p.call(t, "PUT", "/api/v1/callers/"+people[name].id, mgr.token, nil, nil); code != 204 {
			t.Fatalf("designate %s: %d", name, code)
		}
	}

	type want struct {
		download     int    // GET a package of an assigned product
		install      bool   // the client's check before it downloads to install
		seatKey      int    // POST /seat-keys
		seatKeyCode  string // its problem code
		web, phone   bool   // GET /support shows them
		services     string // the services /me's membership can use
		callersAdmin int    // GET /callers
	}
	cases := []struct {
		who  string
		want want
	}{
		{"manager, every benefit", want{200, true, 201, "", true, true, "download,install,web_support,phone_support", 200}},
		{"standard manager, every benefit", want{200, true, 201, "", true, false, "download,install,web_support", 200}},
		{"manager, no benefit", want{200, false, 403, "install_not_allowed", false, false, "download", 200}},
		{"coordinator, no benefit", want{200, false, 403, "install_not_allowed", false, false, "download", 200}},
		{"coordinator, install", want{200, true, 201, "", false, false, "download,install", 200}},
		{"user, no benefit", want{403, false, 403, "forbidden", false, false, "", 403}},
		{"user, download", want{200, false, 403, "forbidden", false, false, "download", 403}},
		{"user, download install", want{200, true, 403, "forbidden", false, false, "download,install", 403}},
		{"user, web_support", want{403, false, 403, "forbidden", true, false, "web_support", 403}},
		{"user, phone_support, not caller", want{403, false, 403, "forbidden", false, false, "", 403}},
		{"user, caller without phone", want{403, false, 403, "forbidden", false, false, "", 403}},
		{"user, caller with phone_support", want{403, false, 403, "forbidden", false, true, "phone_support", 403}},
		{"user, every benefit, not caller", want{200, true, 403, "forbidden", true, false, "download,install,web_support", 403}},
	}
	if len(cases) != len(people) {
		t.Fatalf("%d cases for %d people", len(cases), len(people))
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.who, " ", "_"), func(t *testing.T) {
			pr, ok := people[c.who]
			if !ok {
				t.Fatalf("no person %q", c.who)
			}
			if code := p.call(t, "GET", "/api/v1/packages/atlas-1.0.0.tar.gz", pr.token, nil, nil); code != c.want.download {
				t.Errorf("download: %d, want %d", code, c.want.download)
			}
			var me api.Me // as the clients read it
			if code := p.call(t, "GET", "/api/v1/me", pr.token, nil, &me); code != 200 {
				t.Fatalf("me: %d", code)
			}
			r := api.RightsOf(me.User, me.Contract)
			if r.Install() != c.want.install {
				t.Errorf("install check: %v, want %v", r.Install(), c.want.install)
			}
			var services []string
			for _, b := range r.Services() {
				services = append(services, string(b))
			}
			if got := strings.Join(services, ","); got != c.want.services {
				t.Errorf("services %q, want %q", got, c.want.services)
			}
			var prob Problem
			var key struct {
				Key string `json:"key"`
			}
			code := p.call(t, "POST", "/api/v1/seat-keys", pr.token, map[string]any{"products": []string{"atlas"}}, &prob)
			if code != c.want.seatKey || (code >= 400 && prob.Code != c.want.seatKeyCode) {
				t.Errorf("seat key: %d %q, want %d %q", code, prob.Code, c.want.seatKey, c.want.seatKeyCode)
			}
			if code == 201 {
				p.call(t, "POST", "/api/v1/seat-keys", pr.token, map[string]any{"products": []string{"atlas"}}, &key)
				if code, pc := p.registerSeat(t, key.Key, "machine-"+pr.id); code != 200 {
					t.Errorf("seat with the key: %d %q", code, pc)
				}
			}
			var sup portal.Support
			if code := p.call(t, "GET", "/api/v1/support", pr.token, nil, &sup); code != 200 {
				t.Fatalf("support: %d", code)
			}
			if (sup.Web != "" && sup.Email != "") != c.want.web || (sup.Web == "") != (sup.Email == "") {
				t.Errorf("support web %q email %q, want shown %v", sup.Web, sup.Email, c.want.web)
			}
			if (sup.Phone != "") != c.want.phone {
				t.Errorf("support phone %q, want shown %v", sup.Phone, c.want.phone)
			}
			if !c.want.web && !strings.Contains(sup.Note, "web and email support are not among your benefits") {
				t.Errorf("support note %q does not say why web support is missing", sup.Note)
			}
			if code := p.call(t, "GET", "/api/v1/callers", pr.token, nil, nil); code != c.want.callersAdmin {
				t.Errorf("callers: %d, want %d", code, c.want.callersAdmin)
			}
		})
	}

	// Callers admin by plan: the standard contract's manager cannot
	// designate, the advanced one's can (separately from phone_support).
	var prob Problem
	if code := p.call(t, "PUT", "/api/v1/callers/"+stdMgr.id, stdMgr.token, nil, &prob); code != 422 || prob.Code != "invalid" || len(prob.Fields) != 1 || prob.Fields[0].Code != "needs_advanced" {
		t.Errorf("standard contract designates: %d %+v", code, prob)
	}
	if code := p.call(t, "PUT", "/api/v1/callers/"+people["user, download"].id, people["coordinator, no benefit"].token, nil, nil); code != 204 {
		t.Errorf("coordinator designates a user: %d", code)
	}
	if code := p.call(t, "PUT", "/api/v1/callers/"+people["user, download"].id, people["user, download install"].token, nil, nil); code != 403 {
		t.Errorf("a user designates: %d", code)
	}

	// A key whose creator lost the install benefit registers no seat; the
	// same key works again when it is given back.
	creator := people["coordinator, install"]
	var key struct {
		Key string `json:"key"`
	}
	if code := p.call(t, "POST", "/api/v1/seat-keys", creator.token, map[string]any{"products": []string{"atlas"}}, &key); code != 201 {
		t.Fatalf("seat key: %d", code)
	}
	assign := func(add, remove []string) {
		t.Helper()
		if code := p.call(t, "POST", "/api/v1/users/assign", mgr.token, portal.Assignment{Users: []string{creator.id}, AddBenefits: add, RemoveBenefits: remove}, nil); code != 200 {
			t.Fatalf("assign: %d", code)
		}
	}
	assign(nil, []string{"install"})
	if code, pc := p.registerSeat(t, key.Key, "machine-after-loss"); code != 403 || pc != "install_not_allowed" {
		t.Errorf("seat after the creator lost install: %d %q", code, pc)
	}
	assign([]string{"install"}, nil)
	if code, pc := p.registerSeat(t, key.Key, "machine-after-loss"); code != 200 {
		t.Errorf("seat after install came back: %d %q", code, pc)
	}
}

// A seat key answers to its creator's membership of the key's contract,
// not to their first one: a manager of two contracts who loses install on
// the second registers no more seats there with the key made there.
func TestSeatKeyCreatorOnSecondContract(t *testing.T) {
	p := newTestPortal(t)
	ctx := context.Background()
	_, a, err := p.svc.CreateContract(ctx, portal.ContractRequest{Company: "First Ltd", ManagerEmail: "ana@first.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 5}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	uid, temp := p.startEmail(t, "ana@first.example")
	ana := person{id: uid, token: p.signInFirst(t, uid, temp)}
	// Contract B: Bo manages it and adds Ana, who joins with her account,
	// as a coordinator holding install.
	c, _, err := p.svc.CreateContract(ctx, portal.ContractRequest{Company: "Second Ltd", ManagerEmail: "bo@second.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 5}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	boID, boTemp := p.startEmail(t, "bo@second.example")
	bo := person{id: boID, token: p.signInFirst(t, boID, boTemp)}
	if code := p.call(t, "POST", "/api/v1/users", bo.token, portal.NewUser{Email: "ana@first.example", Name: "Ana", Role: portal.RoleCoordinator,
		Products: []string{"atlas"}, Benefits: []string{"install"}}, nil); code != 201 {
		t.Fatalf("B adds Ana: %d", code)
	}
	if a.ID != ana.id {
		t.Fatalf("Ana is %s on A, %s signed in", a.ID, ana.id)
	}
	var key struct {
		Key string `json:"key"`
	}
	if code := p.callOn(t, "POST", "/api/v1/seat-keys", memberSession{token: ana.token, contractID: c.ID}, map[string]any{"products": []string{"atlas"}}, &key); code != 201 {
		t.Fatalf("Ana's seat key on B: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/users/assign", bo.token, portal.Assignment{Users: []string{ana.id}, RemoveBenefits: []string{"install"}}, nil); code != 200 {
		t.Fatalf("B takes install from Ana: %d", code)
	}
	if code, pc := p.registerSeat(t, key.Key, "machine-b"); code != 403 || pc != "install_not_allowed" {
		t.Errorf("seat on B after Ana lost install there: %d %q", code, pc)
	}
}
