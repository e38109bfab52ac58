package portal

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
)

// The service's own types that are not api's aliases (they hold what never
// leaves the service) encode exactly as api's: every field the service
// sends, the client decodes, and nothing else.
func TestWireTypesMatchAPI(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	u := &User{ID: "U1", ContractID: "C1", Email: "a@acme.example", Name: "Ana", Role: RoleManager, Phone: "+33 1",
		Products: []string{"quill"}, Benefits: []catalog.Benefit{catalog.BenefitDownload}, Caller: true, MustChangePassword: true, Created: now}
	c := &Contract{ID: "C1", Company: "Acme", Plan: PlanAdvanced, CallerCap: 2, Starts: now, Ends: now, Products: []Seats{{Product: "quill", Seats: 5}}, Created: now}
	tests := []struct {
		name string
		sent any
		got  any
	}{
		{"user", u, &api.User{}},
		{"me", &Me{User: u, Contract: c}, &api.Me{}},
		{"user updated", &UserUpdated{User: u, StartEmail: &StartEmailSent{UserID: "U1", Email: "a@acme.example", Expires: now}}, &api.UserUpdated{}},
		{"change", &Change{Line: 2, Action: "create", UserID: "U2", Email: "b@acme.example", Role: RoleUser, Added: []string{"quill"},
			Product: []string{"quill"}, Benefit: []catalog.Benefit{catalog.BenefitInstall}}, &api.Change{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent, err := json.Marshal(tt.sent)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(sent))
			dec.DisallowUnknownFields()
			if err := dec.Decode(tt.got); err != nil {
				t.Fatalf("the client cannot read what the service sends: %v\n%s", err, sent)
			}
			again, _ := json.Marshal(tt.got)
			if !bytes.Equal(sent, again) {
				t.Fatalf("the client's view differs:\nsent %s\nread %s", sent, again)
			}
		})
	}
}
