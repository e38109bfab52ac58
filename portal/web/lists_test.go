package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/internal/clip"
	"onramp.dev/onramp/portal"
)

// postJSON posts body as JSON and returns the status and the answer's bytes.
func postJSON(t testing.TB, p *testPortal, path, token string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", p.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// outboxTo counts the emails of a kind queued for an address.
func outboxTo(t testing.TB, p *testPortal, to, kind string) int {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range out {
		if e.To == to && e.Kind == kind {
			n++
		}
	}
	return n
}

// One user named 5,000 times in an assignment is one change: one email,
// one audit row.
func TestAssignRepeatedUserIsOneChange(t *testing.T) {
	p := newTestPortal(t)
	token, admin := p.admin(t, "boss@example.com", "atlas")
	if code, out := p.importCSV(t, token, "email,name\nbo@example.com,Bo\n", false); code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	bo, err := p.store.UserByLogin(context.Background(), "bo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = bo.ID
		if i%2 == 1 {
			ids[i] = strings.ToLower(bo.ID) // the same user, written otherwise
		}
	}
	code, data := postJSON(t, p, "/api/v1/users/assign", token, portal.Assignment{Users: ids, AddProducts: []string{"atlas", "atlas"},
		AddBenefits: []string{"install", "INSTALL", "install"}})
	if code != 200 {
		t.Fatalf("assign: %d %s", code, data)
	}
	var out struct{ Changes []portal.Change }
	json.Unmarshal(data, &out)
	if len(out.Changes) != 1 {
		t.Errorf("%d changes reported, want 1", len(out.Changes))
	}
	if n := outboxTo(t, p, "bo@example.com", "benefits_changed"); n != 1 {
		t.Errorf("%d emails queued for one person, want 1", n)
	}
	entries, err := p.store.Audit(context.Background(), admin.ContractID, 100)
	if err != nil {
		t.Fatal(err)
	}
	updates := 0
	for _, e := range entries {
		if e.Action == "user.update" {
			updates++
		}
	}
	if updates != 1 {
		t.Errorf("%d audit rows, want 1", updates)
	}
}

// Each list of a request is bounded once repeats are dropped: past the
// bound, one too_many problem naming the list and the bound.
func TestRequestListsBounded(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "boss@example.com", "atlas")
	many := func(n int, format string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf(format, i)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		path  string
		body  any
		field string
		limit int
	}{
		{"assigned users", "/api/v1/users/assign", portal.Assignment{Users: many(maxAssignUsers+1, "U%08d")}, api.FieldUsers, maxAssignUsers},
		{"assigned products", "/api/v1/users/assign", portal.Assignment{Users: []string{"U00000000"}, AddProducts: many(maxListValues+1, "p%d")}, api.FieldProducts, maxListValues},
		{"removed benefits", "/api/v1/users/assign", portal.Assignment{Users: []string{"U00000000"}, RemoveBenefits: many(maxListValues+1, "b%d")}, api.FieldBenefits, maxListValues},
		{"seat key products", "/api/v1/seat-keys", map[string]any{"products": many(maxListValues+1, "p%d")}, api.FieldProducts, maxListValues},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, data := postJSON(t, p, tc.path, token, tc.body)
			var pr Problem
			json.Unmarshal(data, &pr)
			if code != 422 || len(pr.Fields) != 1 || pr.Fields[0].Code != api.FieldTooMany || pr.Fields[0].Field != tc.field || pr.Fields[0].Limit != tc.limit {
				t.Fatalf("%d %s", code, clip.Text(string(data), 500))
			}
		})
	}
}

// A seat key lists each product once, however often the request named it.
func TestSeatKeyProductsDeduplicated(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "boss@example.com", "atlas", "quill")
	products := make([]string, 100_000)
	for i := range products {
		products[i] = []string{"atlas", "quill"}[i%2]
	}
	code, data := postJSON(t, p, "/api/v1/seat-keys", token, map[string]any{"products": products})
	if code != 201 {
		t.Fatalf("seat key: %d %s", code, clip.Text(string(data), 500))
	}
	var out struct {
		Key      string
		Products []string
	}
	json.Unmarshal(data, &out)
	if fmt.Sprint(out.Products) != "[atlas quill]" {
		t.Fatalf("answered products %v", out.Products)
	}
	k, err := p.store.SeatKeyByHash(context.Background(), tokenHash(strings.TrimPrefix(out.Key, portal.SeatKeyPrefix)))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(k.Products) != "[atlas quill]" {
		t.Fatalf("stored products %v", clip.Text(fmt.Sprint(k.Products), 200))
	}
}

// An import line naming a product or a benefit twice, in other cases or
// spellings, gives it once; a contract ordered with a product twice is
// refused, naming it.
func TestImportAndContractRepeats(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "boss@example.com", "atlas")
	if code, out := p.importCSV(t, token, "email,name,role,products,benefits\nbo@example.com,Bo,user,atlas;ATLAS;Atlas,install;INSTALL;Install\n", false); code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	bo, err := p.store.UserByLogin(context.Background(), "bo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(bo.Products, bo.Benefits) != "[atlas] [install]" {
		t.Fatalf("products %v, benefits %v", bo.Products, bo.Benefits)
	}
	_, _, err = p.svc.CreateContract(context.Background(), portal.ContractRequest{Company: "Twice", ManagerEmail: "twice@example.com",
		Products: []portal.Seats{{Product: "atlas", Seats: 2}, {Product: "atlas", Seats: 3}}, Plan: portal.PlanStandard}, "test")
	var inv *portal.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 1 || inv.Problems[0].Code != api.FieldDuplicate || inv.Problems[0].Value != "atlas" {
		t.Fatalf("a product ordered twice: %v", err)
	}
}

// A 422 answer is bounded whatever the request: the first field errors,
// each shortened, and how many more there were.
func TestInvalidAnswerBounded(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "boss@example.com", "atlas")
	ids := make([]string, maxAssignUsers)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%08d%s", i, strings.Repeat("X", 700)) // about 0.7 MB
	}
	long := make([]string, maxListValues)
	for i := range long {
		long[i] = fmt.Sprintf("b%d%s", i, strings.Repeat("y", 2000))
	}
	for name, a := range map[string]portal.Assignment{
		"unknown users":         {Users: ids},
		"long unknown benefits": {Users: ids[:1], AddBenefits: long},
	} {
		t.Run(name, func(t *testing.T) {
			code, data := postJSON(t, p, "/api/v1/users/assign", token, a)
			if code != 422 {
				t.Fatalf("%d %s", code, clip.Text(string(data), 300))
			}
			var pr struct {
				Fields     []api.FieldError
				MoreFields int `json:"more_fields"`
			}
			json.Unmarshal(data, &pr)
			if len(data) > 16<<10 || len(pr.Fields) > portal.MaxReportedFields || len(pr.Fields)+pr.MoreFields < 100 {
				t.Fatalf("%d bytes, %d fields and %d more", len(data), len(pr.Fields), pr.MoreFields)
			}
		})
	}
}

// A line naming 200,000 products and benefits, none known, costs one
// problem each, and little time.
func TestImportLineOfManyValues(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "boss@example.com", "atlas")
	var products, benefits strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&products, "p%d;", i)
		fmt.Fprintf(&benefits, "b%d;", i)
	}
	code, out := p.importCSV(t, token, "email,name,role,products,benefits\nbo@example.com,Bo,user,"+products.String()+","+benefits.String()+"\n", false)
	rows, _ := out["rows"].([]any)
	if code != 422 || len(rows) != 2 {
		t.Fatalf("%d, %d bad values reported, want 2: %v", code, len(rows), clip.Text(fmt.Sprint(out), 300))
	}
}
