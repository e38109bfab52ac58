package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
)

// rect is a region of the window, in its coordinates.
type rect struct{ x, y, w, h float32 }

func (r rect) intersect(o rect) rect {
	x, y := max(r.x, o.x), max(r.y, o.y)
	return rect{x, y, max(min(r.x+r.w, o.x+o.w)-x, 0), max(min(r.y+r.h, o.y+o.h)-y, 0)}
}

// placeOf finds o in the window as the painter draws it: its region, and
// the part of the window its scroll containers let through (their
// viewports, the window's own edges). ok is false when o is not drawn
// (hidden, or under something hidden).
func placeOf(a *Assistant, o fyne.CanvasObject) (at, clip rect, ok bool) {
	c := a.win.Canvas()
	var clipAt rect
	var walk func(n fyne.CanvasObject, pos fyne.Position, clip rect) bool
	walk = func(n fyne.CanvasObject, pos fyne.Position, clip rect) bool {
		if !n.Visible() {
			return false
		}
		p := pos.Add(n.Position())
		if n == o {
			at, clipAt, ok = rect{p.X, p.Y, n.Size().Width, n.Size().Height}, clip, true
			return true
		}
		if _, isScroll := n.(*container.Scroll); isScroll {
			clip = clip.intersect(rect{p.X, p.Y, n.Size().Width, n.Size().Height})
		}
		var children []fyne.CanvasObject
		switch w := n.(type) {
		case *fyne.Container:
			children = w.Objects
		case fyne.Widget:
			children = test.WidgetRenderer(w).Objects()
		}
		for _, child := range children {
			if walk(child, p, clip) {
				return true
			}
		}
		return false
	}
	window := rect{0, 0, c.Size().Width, c.Size().Height}
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		if walk(root, fyne.Position{}, window) {
			return at, clipAt, ok
		}
	}
	return at, window, false
}

// inView fails the test unless o is drawn, with room, and its first line
// (or the whole of it, when shorter) is inside the viewports around it.
func inView(t *testing.T, a *Assistant, o fyne.CanvasObject, what string) {
	t.Helper()
	at, clip, ok := placeOf(a, o)
	switch {
	case !ok:
		t.Errorf("%s is not drawn", what)
	case at.h < 1 || at.w < 1:
		t.Errorf("%s has no room: %v", what, at)
	case at.y < clip.y-0.5 || at.y+min(at.h, 36) > clip.y+clip.h+0.5 || at.x+min(at.w, 36) > clip.x+clip.w+0.5 || at.x < clip.x-0.5:
		t.Errorf("%s at %v is out of view (the visible part is %v)", what, at, clip)
	}
}

// focusIs fails the test unless f has the keyboard.
func focusIs(t *testing.T, a *Assistant, f fyne.Focusable, what string) {
	t.Helper()
	if got := a.win.Canvas().Focused(); got != f {
		t.Errorf("the keyboard is on %s, want %s", describe(got), what)
	}
}

func describe(f fyne.Focusable) string {
	switch w := f.(type) {
	case nil:
		return "nothing"
	case *button:
		return fmt.Sprintf("the button %q", w.Text)
	case *widget.Select:
		return fmt.Sprintf("the menu %q", w.Selected)
	case *entry:
		return fmt.Sprintf("an entry holding %q", w.Text)
	case *widget.Entry:
		return fmt.Sprintf("an entry holding %q", w.Text)
	case *check:
		return fmt.Sprintf("the check box %q", w.Text)
	case *widget.Check:
		return fmt.Sprintf("the check box %q", w.Text)
	}
	return fmt.Sprintf("%T", f)
}

// windowSizes are the contract manager's laptop and the smallest window
// supported.
var windowSizes = []fyne.Size{{Width: 1366, Height: 768}, {Width: 800, Height: 600}}

// Every error and result of the users screen appears where it is seen,
// and the keyboard goes to the next thing to do: at 1366x768 and 800x600,
// in English and French.
func TestUsersResultsInView(t *testing.T) {
	for _, size := range windowSizes {
		for _, language := range []string{"en", "fr"} {
			t.Run(fmt.Sprintf("%vx%v-%s", size.Width, size.Height, language), func(t *testing.T) {
				a, d, cfg := demoAssistant(t, language)
				t.Cleanup(func() { setLanguage("en") })
				signInFirstTime(t, a, d.ManagerID, d.TempPassword)
				act(a, func() { a.win.Resize(size) })
				act(a, func() { a.selectTab("users") })
				u := a.users
				// The table is the screen's whole height: it reaches the
				// window's bottom edge, whatever is open beside it.
				if at, _, _ := placeOf(a, u.table.table); at.y+at.h < size.Height-20 {
					t.Errorf("the table ends at %v of %v", at.y+at.h, size.Height)
				}

				// Each panel fits beside the table.
				for _, p := range []*sidePanel{u.addPanel, u.importPanel, u.assignPanel} {
					tap(a, p.opener)
					if min := a.win.Content().MinSize(); min.Width > size.Width || min.Height > size.Height {
						t.Errorf("with %q open the screen asks for %v", p.title, min)
					}
					if min, room := p.scroll.Content.MinSize(), p.scroll.Size().Width; min.Width > room {
						t.Errorf("%q is %v wide in a panel of %v", p.title, min.Width, room)
					}
				}
				tap(a, u.assignPanel.opener) // closed

				// Add: an email left empty is said under the field, in view,
				// with the keyboard on the field.
				tap(a, u.addPanel.opener)
				focusIs(t, a, u.email, "the email")
				tap(a, buttonIn(t, a.win.Content(), lang.L("Add the user")))
				inView(t, a, u.emailErr, "the email's error")
				focusIs(t, a, u.email, "the email")
				// The service's refusal (a name too long) under the form.
				typeText(a, u.email, "nora.hale@example.com")
				act(a, func() { u.name.SetText(strings.Repeat("N", 300)) })
				tap(a, buttonIn(t, a.win.Content(), lang.L("Add the user")))
				inView(t, a, u.addErr, "the add's refusal")
				// Added: the sentence in view, the keyboard on the next email.
				act(a, func() { u.name.SetText("Nora Hale") })
				tap(a, buttonIn(t, a.win.Content(), lang.L("Add the user")))
				if !strings.Contains(u.added.Text, "nora.hale@example.com") {
					t.Fatalf("not added: %q %q", u.added.Text, u.addErr.Text())
				}
				inView(t, a, u.added, "the sentence saying who was added")
				focusIs(t, a, u.email, "the email, for the next user")

				// Import: a long preview's first lines in view, Import next.
				var rows strings.Builder
				rows.WriteString("email,name\n")
				for i := range 60 {
					fmt.Fprintf(&rows, "p%02d@example.com,Person %02d\n", i, i)
				}
				csv := filepath.Join(t.TempDir(), "users.csv")
				writeFile(t, csv, rows.String())
				tap(a, u.importPanel.opener)
				focusIs(t, a, u.csvPath, "the file's path")
				typeText(a, u.csvPath, csv)
				tap(a, buttonIn(t, a.win.Content(), lang.L("Preview")))
				inView(t, a, u.preview, "the preview")
				focusIs(t, a, u.apply, "Import")
				tap(a, u.apply)
				inView(t, a, u.preview, "the import's result")
				focusIs(t, a, u.table.search, "the table's search")
				// A bad file: the reason in view, the keyboard on the path.
				writeFile(t, csv, "email,name\nnot-an-email,Bad\n")
				tap(a, buttonIn(t, a.win.Content(), lang.L("Preview")))
				inView(t, a, u.importErr, "the import's bad lines")

				// Assign: more ticked users than the product has seats.
				tap(a, u.assignPanel.opener)
				act(a, func() { u.table.tickShown(true) })
				act(a, func() { u.asProducts.SetSelected([]string{a.productName("quill")}) })
				tap(a, u.assign)
				if got := u.assignErr.Text(); !strings.Contains(got, "25") {
					t.Errorf("the seat cap: %q", got)
				}
				inView(t, a, u.assignErr, "the seat cap's refusal")
				// A change that holds: said above the table, in view.
				act(a, func() { u.asProducts.SetSelected(nil) })
				act(a, func() { u.asBenefits.SetSelected([]string{benefitName("web_support")}) })
				tap(a, u.assign)
				if !u.done.Visible() {
					t.Fatalf("assign: %q", u.assignErr.Text())
				}
				inView(t, a, u.done, "the assign's result")
				if users, _ := cfg.Client.AllUsers(context.Background()); len(users) < 60 {
					t.Errorf("%d users after the import", len(users))
				}

				// Closing the panel gives the keyboard back to its button.
				tap(a, u.assignPanel.opener)
				focusIs(t, a, u.assignPanel.opener, "the panel's button")
				if u.side.Visible() {
					t.Error("the panel stays open")
				}
			})
		}
	}
}

// At the callers' cap the warning is drawn at once (it was set, and drawn
// only when the window was resized), and a click on a row that cannot be
// ticked says why, in view.
func TestCallersCapDrawnAtOnce(t *testing.T) {
	for _, size := range windowSizes {
		for _, language := range []string{"en", "fr"} {
			t.Run(fmt.Sprintf("%vx%v-%s", size.Width, size.Height, language), func(t *testing.T) {
				a, d, _ := demoAssistant(t, language)
				t.Cleanup(func() { setLanguage("en") })
				signInFirstTime(t, a, d.ManagerID, d.TempPassword)
				act(a, func() { a.win.Resize(size) })
				act(a, func() { a.selectTab("callers") })
				c := a.callers
				click := func(row int) {
					act(a, func() { c.table.table.OnSelected(widget.TableCellID{Row: row, Col: colEmail}) })
				}
				for row := range c.cap {
					click(row)
				}
				if !strings.Contains(c.status.Text, fmt.Sprint(c.cap)) || c.used != c.cap {
					t.Fatalf("callers: %q", c.status.Text)
				}
				inView(t, a, c.full, "the warning at the cap")
				full, _, _ := placeOf(a, c.full)
				if table, _, _ := placeOf(a, c.table.table); full.y+full.h > table.y+0.5 {
					t.Errorf("the warning %v is under the table %v", full, table)
				}
				// A row past the cap: the click says why.
				click(c.cap)
				u := c.table.all[c.table.shown[c.cap]]
				if u.Caller || !strings.Contains(c.full.Text, u.Email) {
					t.Errorf("a refused tick: caller %v, %q", u.Caller, c.full.Text)
				}
				inView(t, a, c.full, "why the tick was refused")
			})
		}
	}
}

// The deployment wizard ticks only the systems every product has a
// package for, and a build refused says why (the product and the system,
// in the window's language) where it is seen.
func TestDeployReasonInView(t *testing.T) {
	for _, size := range windowSizes {
		for _, language := range []string{"en", "fr"} {
			t.Run(fmt.Sprintf("%vx%v-%s", size.Width, size.Height, language), func(t *testing.T) {
				a, d, _ := demoAssistant(t, language)
				t.Cleanup(func() { setLanguage("en") })
				signInFirstTime(t, a, d.ManagerID, d.TempPassword)
				act(a, func() { a.win.Resize(size) })
				// Quill without a package for Windows, as a catalog may be.
				quill, ok := a.cat.Product("quill")
				if !ok {
					t.Fatal("no quill")
				}
				delete(quill.Latest().Packages, catalog.WindowsAMD64)
				act(a, func() { a.selectTab("deploy") })
				s := a.deploy
				if got := s.platforms.Selected; len(got) != 2 || strings.Contains(strings.Join(got, ","), "Windows") {
					t.Errorf("ticked at first: %q", got)
				}
				act(a, func() {
					s.products.SetSelected([]string{"Quill Notes"})
					s.platforms.SetSelected([]string{platformName(catalog.WindowsAMD64)})
				})
				typeText(a, s.out, filepath.Join(t.TempDir(), "deployment"))
				tap(a, s.create)
				want := lang.L("{{.Product}} {{.Version}} has no package for {{.Systems}}. Tick a system it has a package for, or leave the product out.",
					map[string]any{"Product": "Quill Notes", "Version": quill.Latest().Version.String(), "Systems": platformName(catalog.WindowsAMD64)})
				if s.status.Text != want {
					t.Errorf("refused with %q, want %q", s.status.Text, want)
				}
				inView(t, a, s.status, "the deployment's refusal")
				// A slip before the build: said in view, the keyboard on the
				// field to fill.
				act(a, func() { s.out.SetText("") })
				tap(a, s.create)
				inView(t, a, s.status, "the missing folder")
				focusIs(t, a, s.out, "the output folder")
			})
		}
	}
}

// On the setup screen Tab brings every button it reaches into view, and
// after each step the keyboard is on the next step's button, not back at
// the language menu.
func TestSetupFocusFollowsSteps(t *testing.T) {
	for _, size := range windowSizes {
		for _, language := range []string{"en", "fr"} {
			t.Run(fmt.Sprintf("%vx%v-%s", size.Width, size.Height, language), func(t *testing.T) {
				a, d, _ := demoAssistant(t, language)
				t.Cleanup(func() { setLanguage("en") })
				signInFirstTime(t, a, d.ManagerID, d.TempPassword)
				act(a, func() { a.win.Resize(size) })
				tap(a, a.setupButtons["quill"])
				s := a.setup
				focusIs(t, a, s.download.start, "Download, after the check")
				inView(t, a, s.download.start, "Download")
				// Tab through the screen: each button reached is in view.
				seen := 0
				for range 40 {
					act(a, func() { a.win.Canvas().FocusNext() })
					if b, ok := a.win.Canvas().Focused().(*button); ok {
						if _, _, drawn := placeOf(a, b); drawn {
							inView(t, a, b, "the button "+b.Text+" reached with Tab")
							seen++
						}
					}
				}
				if seen < 5 {
					t.Errorf("Tab reached %d buttons", seen)
				}
				act(a, func() { a.win.Canvas().Focus(s.download.start) })
				tap(a, s.download.start)
				focusIs(t, a, s.install.install, "Install, after the download")
				inView(t, a, s.install.install, "Install")
				tap(a, s.install.install)
				if !s.installed {
					t.Fatalf("not installed: %q", s.install.why.Text())
				}
				focusIs(t, a, s.back, "All products, after the install")
				inView(t, a, s.install.done, "the install's result")
			})
		}
	}
}

// tabAllInView presses Tab until the keyboard is back where it started
// (at most max times) and fails the test unless each thing reached that
// is drawn is in view, the one it started on too, reached again last;
// it returns how many fields (entries and check boxes, those of the
// check lists too) were reached.
func tabAllInView(t *testing.T, a *Assistant, max int, where string) (fields int) {
	t.Helper()
	c := a.win.Canvas()
	first := c.Focused()
	for range max {
		act(a, func() { c.FocusNext() })
		f := c.Focused()
		if f == nil {
			break
		}
		again := f == first
		if first == nil {
			first = f
		}
		if o, ok := f.(fyne.CanvasObject); ok {
			if _, _, drawn := placeOf(a, o); drawn {
				switch f.(type) {
				case *entry, *check, *widget.Check:
					fields++
				}
				inView(t, a, o, where+": "+describe(f)+" reached with Tab")
			}
		}
		if again {
			break
		}
	}
	return fields
}

// Tab to a field below the fold scrolls the field into view, as it does
// a button: on the setup screen (the install folder), in the users
// screen's side panels (each box of their lists of products and
// benefits) and on the deployment wizard (its lists of products and
// systems), at 800x600, in English and French.
func TestTabFieldsInView(t *testing.T) {
	for _, language := range []string{"en", "fr"} {
		t.Run(language, func(t *testing.T) {
			size := fyne.NewSize(800, 600)
			a, d, _ := demoAssistant(t, language)
			t.Cleanup(func() { setLanguage("en") })
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			act(a, func() { a.win.Resize(size) })

			tap(a, a.setupButtons["quill"])
			s := a.setup
			if n := tabAllInView(t, a, 60, "setup"); n == 0 {
				t.Errorf("Tab reached no field on the setup screen")
			}
			act(a, func() { a.win.Canvas().Focus(s.download.start) })
			tap(a, s.download.start)
			if n := tabAllInView(t, a, 60, "setup, downloaded"); n == 0 {
				t.Errorf("Tab reached no field on the setup screen after the download")
			}

			act(a, func() { a.selectTab("users") })
			u := a.users
			products, benefits := len(a.contractProducts()), len(benefitNames())
			panels := []struct {
				p     *sidePanel
				least int // entries and boxes Tab must reach
			}{
				{u.addPanel, 2 + products + benefits},
				{u.importPanel, 1},
				{u.assignPanel, products + benefits},
			}
			for _, p := range panels {
				tap(a, p.p.opener)
				if n := tabAllInView(t, a, 80, p.p.title); n < p.least {
					t.Errorf("Tab reached %d fields in %q, want at least %d", n, p.p.title, p.least)
				}
				tap(a, p.p.opener) // closed
			}

			// The same on the other screens with fields.
			for _, tab := range []struct {
				id    string
				least int
			}{{"deploy", products + len(catalog.Platforms) + 3}, {"profile", 1}} {
				act(a, func() { a.selectTab(tab.id) })
				if n := tabAllInView(t, a, 80, tab.id); n < tab.least {
					t.Errorf("Tab reached %d fields on %s, want at least %d", n, tab.id, tab.least)
				}
			}
		})
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The profile's password part is below the fold at 800x600: its error and
// its result are scrolled into view; a bad phone gets the keyboard.
func TestProfileResultsInView(t *testing.T) {
	for _, size := range windowSizes {
		for _, language := range []string{"en", "fr"} {
			t.Run(fmt.Sprintf("%vx%v-%s", size.Width, size.Height, language), func(t *testing.T) {
				a, d, _ := demoAssistant(t, language)
				t.Cleanup(func() { setLanguage("en") })
				signInFirstTime(t, a, d.ManagerID, d.TempPassword)
				act(a, func() { a.win.Resize(size) })
				act(a, func() { a.selectTab("profile") })
				p := a.profile
				tap(a, p.changePass)
				if p.passErr.Text() == "" {
					t.Fatal("no error for an empty password")
				}
				inView(t, a, p.passErr, "the password's error")
				typeText(a, p.phone, "call me maybe!!")
				tap(a, p.save)
				inView(t, a, p.phoneErr, "the phone's error")
				focusIs(t, a, p.phone, "the phone")
			})
		}
	}
}
