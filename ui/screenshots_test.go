package ui

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/lang"
)

// The main screens at 1366x768 (a contract manager's laptop), in English
// and French, drawn by Fyne's software painter against the embedded demo
// service: each is drawn whole, with the words of its language. With
// ONRAMP_LAYOUT_SCREENSHOTS naming a folder (docs/images), the pictures
// are written there as SCREEN-LANG.png:
//
//	ONRAMP_LAYOUT_SCREENSHOTS=$PWD/docs/images bash .ci/with-session go test -count=1 ./ui -run TestScreenshots1366x768
func TestScreenshots1366x768(t *testing.T) {
	dir := os.Getenv("ONRAMP_LAYOUT_SCREENSHOTS")
	size := fyne.NewSize(1366, 768)
	for _, language := range []string{"en", "fr"} {
		t.Run(language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, language)
			t.Cleanup(func() { setLanguage("en") })
			act(a, func() { a.win.Resize(size) })
			shot := func(name, words string) {
				t.Helper()
				var img image.Image
				act(a, func() {
					// The software painter draws the window's content as
					// the GL driver does; the content goes back at once.
					content := a.win.Content()
					sc := software.NewCanvas()
					sc.SetContent(content)
					sc.Resize(size)
					img = sc.Capture()
					a.win.SetContent(content)
					a.win.Resize(size)
				})
				if b := img.Bounds(); b.Dx() != int(size.Width) || b.Dy() != int(size.Height) {
					t.Fatalf("%s: drawn at %v", name, b)
				}
				if n := colours(img); n < 16 {
					t.Errorf("%s: %d colours, a blank picture", name, n)
				}
				if !strings.Contains(labelsText(a.win.Content()), words) {
					t.Errorf("%s: no %q on screen", name, words)
				}
				if dir == "" {
					return
				}
				f, err := os.Create(filepath.Join(dir, name+"-"+language+".png"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := png.Encode(f, img); err != nil {
					t.Fatal(err)
				}
			}
			tr := func(s string) string { return lang.L(s) } // the window speaks language
			shot("signin", tr("Sign in"))
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			shot("products", tr("Step by step…"))
			tap(a, a.setupButtons["quill"])
			shot("setup", tr("1. Check this computer"))
			act(a, a.closeSetup)

			act(a, func() { a.selectTab("users") })
			u := a.users
			// A path of the test's own folder, named as a person's file
			// would be: the picture shows no path of the machine.
			t.Chdir(t.TempDir())
			csv := "new-users.csv"
			writeFile(t, csv, "email,name,role,products,benefits\nnoor.haddad@example.com,Noor Haddad,user,quill,download;install\nli.wei@example.com,Li Wei,user,lumen,download\n")
			tap(a, u.importPanel.opener)
			typeText(a, u.csvPath, csv)
			tap(a, buttonIn(t, a.win.Content(), tr("Preview")))
			shot("users", "noor.haddad@example.com")

			act(a, func() { a.selectTab("deploy") })
			act(a, func() { a.deploy.products.SetSelected([]string{"Quill Notes"}) })
			shot("deploy", tr("Multi-seat deployment"))
		})
	}
}

// colours counts the distinct colours of img, up to 64.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, al := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, al}] = true
			if len(seen) >= 64 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
