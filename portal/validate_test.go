package portal

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// The CSV parser never panics, and what it accepts is within bounds.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		goodCSV,
		"email\n\"a@acme.example\"x\n",
		"email,name\na@x.example,\"unclosed\nb@x.example,x\n",
		"\xef\xbb\xbfemail,name,role,products,benefits\na@x.example,Ana,user,atlas;quill,download\n",
		"email,name\na@x.example,\"Ev\x00e\"\n",
		"email\n\n\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, bad := parseUsersCSV(data)
		for _, b := range bad {
			if b.Line < 1 || len(b.Reason) > 400 {
				t.Fatalf("row error %+v", b)
			}
		}
		for _, r := range rows {
			if r.invalid {
				continue
			}
			if utf8.RuneCountInString(r.name) > maxNameRunes || len(r.email) > MaxEmailBytes || checkText(r.name) != nil || checkText(r.email) != nil {
				t.Fatalf("accepted row %+v", r)
			}
		}
	})
}

// goodCSV is an import with no bad line (package web's import tests use
// the same).
const goodCSV = "email,name,role,products,benefits\n" +
	"bo@acme.example,Bo,user,atlas,download;install\n" +
	"cy@acme.example,\"Cy, Jr.\",software_coordinator,atlas;quill,download\n" +
	"di@acme.example,Di,,quill,\n"

func TestContractRefusesHostileText(t *testing.T) {
	p := newTestPortal(t)
	tests := []struct {
		name string
		req  ContractRequest
	}{
		{"manager-name-escape", ContractRequest{Company: "Acme", ManagerEmail: "a@acme.example", ManagerName: "\x1b]0;x\x07", Products: []Seats{{Product: "atlas", Seats: 1}}, Plan: PlanStandard}},
		{"company-too-long", ContractRequest{Company: strings.Repeat("c", maxNameRunes+1), ManagerEmail: "b@acme.example", Products: []Seats{{Product: "atlas", Seats: 1}}, Plan: PlanStandard}},
		{"email-too-long", ContractRequest{Company: "Acme", ManagerEmail: strings.Repeat("a", 250) + "@x.example", Products: []Seats{{Product: "atlas", Seats: 1}}, Plan: PlanStandard}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var inv *InvalidError
			if _, _, err := p.svc.CreateContract(t.Context(), tc.req, "test"); !errors.As(err, &inv) {
				t.Errorf("got %v, want an InvalidError", err)
			}
		})
	}
}
