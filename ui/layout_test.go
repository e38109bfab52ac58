package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// Every screen fits 800×600 in both languages: no tab asks the window for
// more (the Deployment tab once widened it to 1,352 px in French).
func TestEveryScreenFits800x600(t *testing.T) {
	for _, language := range []string{"en", "fr"} {
		t.Run(language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, language)
			t.Cleanup(func() { setLanguage("en") })
			a.win.Resize(fyne.NewSize(800, 600))
			if min := a.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
				t.Errorf("sign-in asks for %v", min)
			}
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			for _, tab := range []string{"products", "users", "callers", "deploy", "profile", "support", "faq"} {
				act(a, func() { a.selectTab(tab) })
				if min := a.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
					t.Errorf("%s asks for %v", tab, min)
				}
			}
			tap(a, a.setupButtons["quill"])
			if min := a.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
				t.Errorf("the setup of quill asks for %v", min)
			}
		})
	}
}
