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

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/syscheck"
)

// Every string the window shows has its French: each lang.L literal of
// this package, and the service's FAQ and support texts, which arrive in
// English.
func TestEveryStringHasFrench(t *testing.T) {
	var fr map[string]string
	if err := json.Unmarshal(assets.Translation("fr"), &fr); err != nil {
		t.Fatalf("assets/lang/fr.json: %v", err)
	}
	files, _ := filepath.Glob("*.go")
	want := map[string]string{} // key -> where
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "L" || sel.X.(*ast.Ident).Name != "lang" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok {
				s, _ := strconv.Unquote(lit.Value)
				want[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	// go-i18n reads some keys ("id", "one", "other"...) as its own fields:
	// one such key makes the whole file fail to load, and the window
	// speaks English.
	if got := setLanguage("fr"); got != "fr" {
		t.Fatal("assets/lang/fr.json does not load")
	}
	setLanguage("en")
	if len(want) < 150 {
		t.Fatalf("found only %d strings: is the scan broken?", len(want))
	}
	for _, f := range portal.FAQs {
		want[f.Question], want[f.Answer] = "portal.FAQs", "portal.FAQs"
	}
	for k, where := range want {
		v, ok := fr[k]
		switch {
		case !ok:
			t.Errorf("%s: no French for %q", where, k)
		case v == "" || (v == k && len(k) > 12):
			t.Errorf("%s: French of %q is %q", where, k, v)
		case strings.Count(v, "{{") != strings.Count(k, "{{"):
			t.Errorf("%s: French of %q loses a placeholder: %q", where, k, v)
		}
	}
}

// Every fix code of the system check has words.
func TestEveryFixHasWords(t *testing.T) {
	for _, code := range syscheck.FixCodes {
		if got := fixText(&syscheck.Fix{Code: code, Args: map[string]string{"need": "X"}}); got == code || got == "" {
			t.Errorf("fix %q has no words", code)
		}
	}
}

// The switch changes every screen's language at once, both ways.
func TestLanguageSwitch(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	if a.signin.signIn.Text != "Sign in" {
		t.Fatalf("English sign-in button: %q", a.signin.signIn.Text)
	}
	act(a, func() { a.switchLanguage("fr") })
	if a.signin.signIn.Text != "Se connecter" {
		t.Fatalf("French sign-in button: %q", a.signin.signIn.Text)
	}
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	var titles []string
	for _, it := range a.tabs.Items {
		titles = append(titles, it.Text)
	}
	if strings.Join(titles, ",") != "Produits,Utilisateurs,Appelants du support,Déploiement,Profil,Support,FAQ" {
		t.Fatalf("French tabs: %v", titles)
	}
	a.Wait()
	act(a, func() { a.switchLanguage("en") })
	if a.tabs.Items[0].Text != "Products" {
		t.Fatalf("back to English: %q", a.tabs.Items[0].Text)
	}
}
