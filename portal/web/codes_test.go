package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

// Every bad line of an import carries a stable code and its arguments, so
// that a client words it in its own language: none is English only.
func TestImportLinesHaveCodes(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "mgr@acme.example", "atlas", "quill") // 5 seats each
	over := "email,products\n"
	for i := range 6 {
		over += fmt.Sprintf("u%d@acme.example,atlas\n", i)
	}
	var many strings.Builder
	many.WriteString("email\n")
	for i := range maxImportRows + 1 {
		fmt.Fprintf(&many, "m%d@acme.example\n", i)
	}
	tests := []struct {
		name, csv string
		want      api.RowError // Line and Code always; Value, Limit, Count, Lines when set
	}{
		{"no-header", "bo@acme.example,Bo\n", api.RowError{Line: 1, Code: api.RowBadHeader}},
		{"unknown-column", "email,colour\nbo@acme.example,red\n", api.RowError{Line: 1, Code: api.RowUnknownColumn, Value: "colour"}},
		{"duplicate", "email\nbo@acme.example\nBO@acme.example\n", api.RowError{Line: 3, Code: api.RowDuplicateEmail, Value: "bo@acme.example", Lines: []int{2}}},
		{"bad-role", "email,role\nbo@acme.example,boss\n", api.RowError{Line: 2, Code: api.RowBadRole, Value: "boss"}},
		{"bad-benefit", "email,benefits\nbo@acme.example,teleport\n", api.RowError{Line: 2, Code: api.RowBadBenefit, Value: "teleport"}},
		{"unknown-product", "email,products\nbo@acme.example,nimbus\n", api.RowError{Line: 2, Code: api.RowUnknownProduct, Value: "nimbus"}},
		{"seat-cap", over, api.RowError{Line: 2, Code: api.RowSeatCap, Value: "atlas", Count: 7, Limit: 5, Lines: []int{2, 3, 4, 5, 6, 7}}},
		{"too-many-lines", many.String(), api.RowError{Line: maxImportRows + 2, Code: api.RowTooManyLines, Limit: maxImportRows}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prob struct {
				Code string         `json:"code"`
				Rows []api.RowError `json:"rows"`
			}
			code, out := p.importCSV(t, token, tt.csv, true)
			decodeJSON([]byte(mustJSON(out)), &prob)
			if code != 422 || prob.Code == "" {
				t.Fatalf("%d %v", code, out)
			}
			for _, r := range prob.Rows {
				if !slices.Contains(api.RowCodes, r.Code) {
					t.Errorf("line %d has no known code: %+v", r.Line, r)
				}
			}
			i := slices.IndexFunc(prob.Rows, func(r api.RowError) bool { return r.Line == tt.want.Line && r.Code == tt.want.Code })
			if i < 0 {
				t.Fatalf("no line %d with code %s in %+v", tt.want.Line, tt.want.Code, prob.Rows)
			}
			got := prob.Rows[i]
			if got.Value != tt.want.Value || got.Limit != tt.want.Limit || got.Count != tt.want.Count || !slices.Equal(got.Lines, tt.want.Lines) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// The problems "invalid" and "too_long" name each field refused, with a
// stable code and the limit, so that a client can word them and put them
// next to the field.
func TestFieldProblemsNameTheField(t *testing.T) {
	p := newTestPortal(t)
	token, admin := p.admin(t, "mgr@acme.example", "atlas")
	tests := []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      string
		want                      api.FieldError
	}{
		{"long-name", "PATCH", "/api/v1/me", token, map[string]string{"name": strings.Repeat("é", maxNameRunes+1)}, 422, "invalid",
			api.FieldError{Field: api.FieldName, Code: api.FieldTooLong, Limit: maxNameRunes}},
		{"long-phone", "PATCH", "/api/v1/me", token, map[string]string{"phone": strings.Repeat("1", maxPhoneBytes+1)}, 422, "invalid",
			api.FieldError{Field: api.FieldPhone, Code: api.FieldTooLong, Limit: maxPhoneBytes}},
		{"escape-in-name", "PATCH", "/api/v1/me", token, map[string]string{"name": "\x1b[2JEve"}, 422, "invalid",
			api.FieldError{Field: api.FieldName, Code: api.FieldBadCharacters}},
		{"long-login", "POST", "/api/v1/session", "", map[string]string{"login": strings.Repeat("x", maxLoginBytes+1), "password": "x"}, 400, "too_long",
			api.FieldError{Field: api.FieldLogin, Code: api.FieldTooLong, Limit: maxLoginBytes}},
		{"long-search", "GET", "/api/v1/users?q=" + strings.Repeat("x", portal.MaxUserQuery+1), token, nil, 400, "too_long",
			api.FieldError{Field: api.FieldQuery, Code: api.FieldTooLong, Limit: portal.MaxUserQuery}},
		{"assign-unknown-product", "POST", "/api/v1/users/assign", token, api.Assignment{Users: []string{admin.ID}, AddProducts: []string{"nimbus"}}, 422, "invalid",
			api.FieldError{Field: api.FieldProducts, Code: api.FieldUnknownProduct, Value: "nimbus"}},
		{"remove-yourself", "DELETE", "/api/v1/users/" + admin.ID, token, nil, 422, "invalid",
			api.FieldError{Field: api.FieldUsers, Code: api.FieldSelf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prob Problem
			if status := p.call(t, tt.method, tt.path, tt.token, tt.body, &prob); status != tt.status || prob.Code != tt.code {
				t.Fatalf("%d %+v, want %d %s", status, prob, tt.status, tt.code)
			}
			for _, f := range prob.Fields {
				if !slices.Contains(api.FieldCodes, f.Code) || !slices.Contains(api.FieldNames, f.Field) {
					t.Errorf("a field problem without a known code or field: %+v", f)
				}
			}
			if len(prob.Fields) != 1 {
				t.Fatalf("fields %+v, want one", prob.Fields)
			}
			got := prob.Fields[0]
			got.Reason = ""
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
