package web

import (
	"context"
	"strings"
	"testing"
)

// A software coordinator manages users, but not the contract managers
// above them; a plain user manages no one. Each is told which.
func TestCoordinatorsCannotActOnManagers(t *testing.T) {
	p := newTestPortal(t)
	mgr, m := p.admin(t, "mgr@x.example", "atlas")
	_, out := p.importCSV(t, mgr, "email,role,products,benefits\n"+
		"coord@x.example,software_coordinator,atlas,download\n"+
		"user@x.example,user,atlas,download\n"+
		"other@x.example,user,,\n", false)
	emails, _ := p.store.Outbox(context.Background(), true)
	tokens, ids := map[string]string{}, map[string]string{}
	for _, c := range out["changes"].([]any) {
		ch := c.(map[string]any)
		name := strings.Split(ch["email"].(string), "@")[0]
		ids[name] = ch["user_id"].(string)
		for _, e := range emails {
			if e.To == ch["email"] && e.Kind == "start" {
				tokens[name] = p.activate(t, ch["user_id"].(string), tempPassRe.FindStringSubmatch(e.Body)[1])
			}
		}
	}
	if code := p.call(t, "PUT", "/api/v1/callers/"+m.ID, mgr, nil, nil); code != 204 {
		t.Fatalf("the manager designates themselves: %d", code)
	}
	const notAdmin = "only contract managers and software coordinators may do this"
	const notOnManagers = "software coordinators cannot change contract managers"
	tests := []struct {
		name, as, method, path string
		body                   any
		want                   int
		detail                 string
	}{
		{"coord-strips-manager-products", "coord", "POST", "/api/v1/users/assign", map[string]any{"users": []string{m.ID}, "remove_products": []string{"atlas"}}, 403, notOnManagers},
		{"coord-strips-manager-benefits", "coord", "POST", "/api/v1/users/assign", map[string]any{"users": []string{m.ID}, "remove_benefits": []string{"download"}}, 403, notOnManagers},
		{"coord-assigns-manager-among-others", "coord", "POST", "/api/v1/users/assign", map[string]any{"users": []string{ids["user"], m.ID}, "add_benefits": []string{"install"}}, 403, notOnManagers},
		{"coord-removes-manager-as-caller", "coord", "DELETE", "/api/v1/callers/" + m.ID, nil, 403, notOnManagers},
		{"coord-designates-manager", "coord", "PUT", "/api/v1/callers/" + m.ID, nil, 403, notOnManagers},
		{"coord-removes-manager", "coord", "DELETE", "/api/v1/users/" + m.ID, nil, 403, notOnManagers},
		{"user-assigns", "user", "POST", "/api/v1/users/assign", map[string]any{"users": []string{ids["other"]}, "add_benefits": []string{"install"}}, 403, notAdmin},
		{"user-removes", "user", "DELETE", "/api/v1/users/" + ids["other"], nil, 403, notAdmin},
		{"coord-assigns-a-user", "coord", "POST", "/api/v1/users/assign", map[string]any{"users": []string{ids["user"]}, "add_benefits": []string{"install"}}, 200, ""},
		{"coord-designates-a-user", "coord", "PUT", "/api/v1/callers/" + ids["user"], nil, 204, ""},
		{"manager-assigns-self", "manager", "POST", "/api/v1/users/assign", map[string]any{"users": []string{m.ID}, "remove_benefits": []string{"phone_support"}}, 200, ""},
	}
	tokens["manager"] = mgr
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var prob Problem
			code := p.call(t, tc.method, tc.path, tokens[tc.as], tc.body, &prob)
			if code != tc.want || (tc.detail != "" && prob.Detail != tc.detail) {
				t.Errorf("%d %q, want %d %q", code, prob.Detail, tc.want, tc.detail)
			}
		})
	}
	// An import by a coordinator that names a manager's address changes
	// nothing of theirs.
	code, res := p.importCSV(t, tokens["coord"], "email,name,products\nmgr@x.example,Renamed,atlas\n", false)
	if code != 403 || res["code"] != "manager_protected" {
		t.Errorf("a coordinator's import touching a manager: %d %v", code, res)
	}
	after := mustUser(t, p, m.ID)
	if after.Name == "Renamed" || len(after.Products) != 1 || !after.Caller {
		t.Errorf("the manager was changed: %+v", after)
	}
}
