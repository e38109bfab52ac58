package jsonout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every document and event type is described in docs/scripting.md, where
// scripts' authors look: a type added here without its description fails.
func TestScriptingDocNamesEveryType(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scripting.md"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "jsonout.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			if !ts.Name.IsExported() {
				continue
			}
			names = append(names, ts.Name.Name)
			if g.Doc == nil && ts.Doc == nil {
				t.Errorf("%s has no doc comment", ts.Name.Name)
			}
		}
	}
	if len(names) < 30 {
		t.Fatalf("found %d types in jsonout.go: the parse went wrong", len(names))
	}
	for _, n := range names {
		if !strings.Contains(string(doc), "`"+n+"`") {
			t.Errorf("docs/scripting.md does not describe %s", n)
		}
	}
}
