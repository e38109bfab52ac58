package web

import (
	"strings"
	"testing"
)

// Names, emails and phones are bounded and free of control characters
// and bidirectional overrides, whichever way they arrive.
func TestImportRefusesHostileText(t *testing.T) {
	tests := []struct {
		name, csv string
		line      int
		code      string
	}{
		{"name-too-long", "email,name\na@x.example," + strings.Repeat("n", maxNameRunes+1) + "\n", 2, "bad_name"},
		{"name-5-mib", "email,name\na@x.example,\"" + strings.Repeat("n", 5<<20) + "\"\n", 2, "bad_name"},
		{"name-with-nul", "email,name\na@x.example,\"Ev\x00e\"\n", 2, "bad_name"},
		{"name-with-escape", "email,name\na@x.example,\"\x1b]0;pwn\x07Eve\"\n", 2, "bad_name"},
		{"name-with-bidi-override", "email,name\na@x.example,Eve\u202egpj.exe\n", 2, "bad_name"},
		{"name-with-newline", "email,name\na@x.example,\"Eve\nMallory\"\n", 2, "bad_name"},
		// Not UTF-8 and not Windows-1252 either (0x81 is undefined there):
		// the file is refused, naming the encoding.
		{"name-not-utf8-nor-1252", "email,name\na@x.example,Ev\x81e\n", 1, "bad_encoding"},
		{"email-too-long", "email\n" + strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".example\n", 2, "bad_email"},
		{"email-with-bidi", "email\na\u202e@x.example\n", 2, "bad_email"},
		{"second-line-bad", "email,name\na@x.example,Ana\nb@x.example,\"B\x00\"\n", 3, "bad_name"},
		{"quote-then-text", "email\n\"a@acme.example\"x\n", 2, "bad_csv"},
		{"quote-then-text-later", "email\nb@acme.example\n\"a@acme.example\"x\n", 3, "bad_csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPortal(t)
			token, _ := p.admin(t, "mgr@x.example", "atlas")
			code, out := p.importCSV(t, token, tt.csv, false)
			if code != 422 {
				t.Fatalf("accepted: %d %v", code, out)
			}
			rows, _ := out["rows"].([]any)
			found := false
			for _, r := range rows {
				row := r.(map[string]any)
				if int(row["line"].(float64)) == tt.line && row["code"] == tt.code {
					found = true
				}
				if reason := row["reason"].(string); len(reason) > 300 {
					t.Errorf("a reason of %d bytes echoes the input", len(reason))
				}
			}
			if !found {
				t.Errorf("no line %d with code %s in %v", tt.line, tt.code, rows)
			}
		})
	}
}

func TestProfileRefusesHostileText(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "mgr@x.example", "atlas")
	tests := []struct {
		name string
		body map[string]string
		want int
	}{
		{"fine", map[string]string{"name": "Ana Müller", "phone": "+33 6 12 34 56 78"}, 200},
		{"name-too-long", map[string]string{"name": strings.Repeat("é", maxNameRunes+1)}, 422},
		{"name-at-limit", map[string]string{"name": strings.Repeat("é", maxNameRunes)}, 200},
		{"name-with-escape", map[string]string{"name": "\x1b[2JEve"}, 422},
		{"name-with-bidi", map[string]string{"name": "Eve\u2066"}, 422},
		{"phone-too-long", map[string]string{"phone": strings.Repeat("1", maxPhoneBytes+1)}, 422},
		{"phone-with-nul", map[string]string{"phone": "+33\x00"}, 422},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var prob Problem
			if code := p.call(t, "PATCH", "/api/v1/me", token, tc.body, &prob); code != tc.want {
				t.Errorf("%d %+v, want %d", code, prob, tc.want)
			}
		})
	}
}
