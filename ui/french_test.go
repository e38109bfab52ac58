package ui

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/assets"
)

// drawnTexts lists every text drawn in the window (its content and its
// overlays, dialogs included), as the painter draws it: lines of words,
// the placeholders of empty entries, the titles of tabs and cards.
func drawnTexts(a *Assistant) []string {
	var texts []string
	c := a.win.Canvas()
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *canvas.Text:
			if s := strings.TrimSpace(w.Text); s != "" {
				texts = append(texts, s)
			}
		case *fyne.Container:
			for _, child := range w.Objects {
				walk(child)
			}
		case fyne.Widget:
			if l, ok := w.(*widget.Label); ok && l.Text != "" {
				texts = append(texts, l.Text)
			}
			for _, child := range test.WidgetRenderer(w).Objects() {
				walk(child)
			}
		}
	}
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		walk(root)
	}
	return texts
}

// englishLeaks returns the texts of texts that are English where French
// is spoken: one of the window's or Fyne's messages left untranslated,
// or an English unit.
func englishLeaks(t *testing.T, texts []string) []string {
	t.Helper()
	english := map[string]bool{}
	for _, file := range [][]byte{assets.Translation("fr"), assets.FyneTranslation("fr")} {
		var m map[string]any
		if err := json.Unmarshal(file, &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			if v, ok := v.(string); ok && k != v && len(k) > 2 {
				english[k] = true
			}
		}
	}
	units := regexp.MustCompile(`\b([0-9.,]+ ?(MiB|KiB|GiB|TiB|bytes)|[0-9]+ of [0-9]+|left|ago)\b|[0-9]%|\b[0-9]+s\b|\b[01] (cochés|utilisateurs|places|postes|lignes)\b`)
	var leaks []string
	for _, s := range texts {
		if english[s] || units.MatchString(s) {
			leaks = append(leaks, s)
		}
	}
	return leaks
}

// Walked in French at 1366x768 and 800x600, every screen (the products,
// the step-by-step path with a download done, each panel of the users
// screen, callers, deployment, profile, support, FAQ) draws no English:
// none of the window's or Fyne's messages untranslated, no English unit
// ("MiB", "36s", "42%" without its space), no English plural agreement
// ("0 cochés" for "0 coché").
func TestFrenchWalkHasNoEnglish(t *testing.T) {
	for _, size := range windowSizes {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			a, d, _ := demoAssistant(t, "fr")
			t.Cleanup(func() { setLanguage("en") })
			where := map[string]string{}
			look := func(screen string) {
				for _, s := range drawnTexts(a) {
					if _, ok := where[s]; !ok {
						where[s] = screen
					}
				}
			}
			look("sign-in")
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			act(a, func() { a.win.Resize(size) })
			look("products")
			tap(a, a.setupButtons["quill"])
			look("setup")
			tap(a, a.setup.download.start)
			look("setup, downloaded")
			act(a, a.closeSetup)
			look("products, downloaded")
			for _, tab := range []string{"users", "callers", "deploy", "profile", "support", "faq"} {
				act(a, func() { a.selectTab(tab) })
				look(tab)
				if tab == "users" {
					for _, p := range []*sidePanel{a.users.addPanel, a.users.importPanel, a.users.assignPanel} {
						tap(a, p.opener)
						look(tab + ", " + p.title)
						tap(a, p.opener)
					}
				}
			}
			if len(where) < 150 {
				t.Fatalf("only %d texts drawn: is the walk broken?", len(where))
			}
			texts := make([]string, 0, len(where))
			for s := range where {
				texts = append(texts, s)
			}
			sort.Strings(texts)
			for _, s := range englishLeaks(t, texts) {
				t.Errorf("%s: English in French: %q", where[s], s)
			}
		})
	}
}

// The walk's detector finds what it looks for.
func TestEnglishLeaksFound(t *testing.T) {
	leaks := englishLeaks(t, []string{"Sign in", "80.01 MiB", "36s left", "42%", "0 cochés", "Se connecter", "42\u00a0%", "0 coché", "Quill Notes 3.1.0 dans"})
	if want := []string{"Sign in", "80.01 MiB", "36s left", "42%", "0 cochés"}; !slices.Equal(leaks, want) {
		t.Errorf("found %q, want %q", leaks, want)
	}
}
