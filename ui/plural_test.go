package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/assets"
)

// Every message that changes with a number (plural) has its forms in both
// languages, with the same placeholders.
func TestEveryPluralHasForms(t *testing.T) {
	forms := map[string]map[string]map[string]string{}
	for _, code := range []string{"en", "fr"} {
		var m map[string]map[string]string
		if err := json.Unmarshal(assets.PluralTranslation(code), &m); err != nil {
			t.Fatalf("assets/lang/plural/%s.json: %v", code, err)
		}
		forms[code] = m
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "N" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "lang" {
					t.Errorf("%s: lang.N picks the form by the system's language: use plural", fset.Position(call.Pos()))
				}
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "plural" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				t.Errorf("%s: plural with a key that is not a literal", fset.Position(call.Pos()))
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			n++
			for code, m := range forms {
				for _, form := range []string{"one", "other"} {
					v := m[key][form]
					if v == "" || strings.Count(v, "{{") != strings.Count(key, "{{") {
						t.Errorf("%s: %s form %q of %q is %q", fset.Position(lit.Pos()), code, form, key, v)
					}
				}
			}
			return true
		})
	}
	if n < 8 {
		t.Fatalf("found only %d plural messages: is the scan broken?", n)
	}
}

// Numbers agree with their words: "1 utilisateur affiché sur 1".
func TestPluralsAgree(t *testing.T) {
	t.Cleanup(func() { setLanguage("en") })
	setLanguage("fr")
	for _, tc := range []struct{ got, want string }{
		{countText(1, 1, 1), "1 utilisateur affiché sur 1, 1 coché."},
		{countText(0, 4, 0), "0 utilisateur affiché sur 4, 0 coché."},
		{countText(2, 5, 3), "2 utilisateurs affichés sur 5, 3 cochés."},
		{leftText(36 * time.Second), "36 s restantes"},
		{leftText(time.Second), "1 s restante"},
		{leftText(90 * time.Second), "2 min restantes"},
	} {
		if tc.got != tc.want {
			t.Errorf("fr: %q, want %q", tc.got, tc.want)
		}
	}
	setLanguage("en")
	for _, tc := range []struct{ got, want string }{
		{countText(1, 1, 1), "1 of 1 users shown, 1 ticked."},
		{countText(0, 4, 0), "0 of 4 users shown, 0 ticked."},
		{countText(2, 5, 3), "2 of 5 users shown, 3 ticked."},
		{leftText(36 * time.Second), "36 s left"},
	} {
		if tc.got != tc.want {
			t.Errorf("en: %q, want %q", tc.got, tc.want)
		}
	}
}
