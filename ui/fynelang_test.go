package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Fyne's own messages follow the window's language, both ways, whatever
// the system's: its file dialog says "Ouvrir Fichier", not "Ouvrir File".
func TestFyneMessagesFollowLanguage(t *testing.T) {
	t.Cleanup(func() { setLanguage("en") })
	for _, tc := range []struct{ language, file, hidden, name string }{
		{"fr", "Fichier", "Afficher les fichiers cachés", "Nom"},
		{"en", "File", "Show Hidden Files", "Name"},
		{"fr", "Fichier", "Afficher les fichiers cachés", "Nom"},
	} {
		setLanguage(tc.language)
		if got := lang.L("File"); got != tc.file {
			t.Errorf("%s: File is %q", tc.language, got)
		}
		if got := lang.L("Show Hidden Files"); got != tc.hidden {
			t.Errorf("%s: Show Hidden Files is %q", tc.language, got)
		}
		if got := lang.X("file.name", "Name"); got != tc.name {
			t.Errorf("%s: file.name is %q", tc.language, got)
		}
	}
}

// The install folder has a Browse… button: a folder dialog in the
// window's language, and the folder chosen gets the product's own folder.
func TestInstallFolderBrowse(t *testing.T) {
	a, d, _ := demoAssistant(t, "fr")
	t.Cleanup(func() { setLanguage("en") })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	tap(a, a.setupButtons["quill"])
	s := a.setup.install
	if s.browse.Text != "Parcourir…" {
		t.Fatalf("browse button %q", s.browse.Text)
	}
	tap(a, s.browse)
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no folder dialog")
	}
	var texts []string
	walkObjects(top, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			texts = append(texts, w.Text)
		case *widget.Button:
			texts = append(texts, w.Text)
		case *widget.Check:
			texts = append(texts, w.Text)
		}
	})
	all := strings.Join(texts, "|")
	for _, want := range []string{"Ouvrir Dossier", "Annuler", "Ouvrir"} {
		if !strings.Contains(all, want) {
			t.Errorf("the folder dialog lacks %q: %s", want, all)
		}
	}
	if strings.Contains(all, "Folder") || strings.Contains(all, "Show Hidden") {
		t.Errorf("English in the folder dialog: %s", all)
	}
	act(a, func() { top.Hide(); s.chooseFolder(filepath.Join(string(filepath.Separator), "srv", "apps")) })
	if want := filepath.Join(string(filepath.Separator), "srv", "apps", "quill"); s.target.Text != want {
		t.Errorf("install folder %q, want %q", s.target.Text, want)
	}
}
