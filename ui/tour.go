//go:build tour

package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// The screenshot tour is built with -tags tour only (.ci/screenshots and
// the tests): the software painter it draws with is Fyne's test code,
// which the assistant people run does not carry.

// Tour walks the demo through every screen, calling shot with each
// screen's name once it is drawn: the README's screenshots, and a run of
// the real window for the UI timing figures. It needs Config.Demo and runs
// on a goroutine of its own, while the window runs; every change to the
// widgets goes through fyne.DoAndWait, as a user's taps would.
func (a *Assistant) Tour(csvDir string, shot func(name string)) error {
	d := a.cfg.Demo
	if d == nil {
		return errors.New("the tour needs the demo account service (--demo)")
	}
	ui := func(f func()) { a.onUI(f); a.Wait() }
	shot("welcome")
	ui(func() {
		a.signin.user.SetText(d.UserID)
		a.signin.password.SetText(d.Password)
		a.signin.submit()
	})
	ui(func() {
		a.signin.newPass.SetText("a demo passphrase, long enough")
		a.signin.newAgain.SetText("a demo passphrase, long enough")
	})
	shot("first-sign-in")
	ui(a.signin.submitChange)
	if a.me == nil {
		return fmt.Errorf("tour: sign-in failed: %s", a.signin.signInErr.Text())
	}
	shot("products")
	quill, ok := a.cat.Product("quill")
	if !ok {
		return errors.New("tour: the catalog has no quill")
	}
	ui(func() { a.openSetup(quill) })
	shot("check")
	ui(a.setup.download.run)
	if a.setup.install.planned == nil {
		return fmt.Errorf("tour: no install plan: %s / %s", a.setup.download.info.Text, a.setup.install.plan.Text)
	}
	shot("download")
	ui(a.setup.install.run)
	shot("installed")
	ui(a.closeSetup)
	csv := filepath.Join(csvDir, "new-users.csv")
	if err := os.WriteFile(csv, []byte("email,name,role,products,benefits\nnoor.haddad@example.com,Noor Haddad,user,quill,download;install\nnot-an-email,Bad Line,user,quill,download\n"), 0o644); err != nil {
		return err
	}
	for _, tab := range []string{"users", "callers", "deploy", "profile", "support", "faq"} {
		ui(func() { a.selectTab(tab) })
		if tab == "users" {
			ui(func() {
				a.users.openPanel(a.users.importPanel)
				a.users.csvPath.SetText(csv)
				a.users.runPreview()
			})
		}
		shot(tab)
	}
	// The users table at scale, in the smallest window supported: 5,000
	// users imported through the same screen, at 800x600.
	var many bytes.Buffer
	many.WriteString("email,name,role,products,benefits\n")
	for i := range 5000 {
		fmt.Fprintf(&many, "person%04d@example.com,Person %04d,user,,download\n", i, i)
	}
	manyPath := filepath.Join(csvDir, "many-users.csv")
	if err := os.WriteFile(manyPath, many.Bytes(), 0o644); err != nil {
		return err
	}
	ui(func() { a.selectTab("users") })
	ui(func() {
		a.users.openPanel(a.users.importPanel)
		a.users.csvPath.SetText(manyPath)
		a.users.runPreview()
	})
	ui(a.users.runImport)
	ui(a.users.closePanel) // the table takes the whole screen again

	ui(func() { a.win.Resize(fyne.NewSize(800, 600)) })
	// The window system answers the resize on a later frame.
	for range 200 {
		var size fyne.Size
		fyne.DoAndWait(func() { size = a.win.Canvas().Size() })
		if size == fyne.NewSize(800, 600) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	shot("users-5000-800x600")
	return nil
}

// RunTour walks the demo through every screen, saving each as DIR/NAME.png,
// and measures the UI goroutine's stalls: every 10 ms a no-op is sent
// through fyne.DoAndWait, and the longest wait per screen is recorded in
// DIR/timings.json.
func RunTour(a *Assistant, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var mu sync.Mutex
	step, stalls := "start", map[string]float64{}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				start := time.Now()
				fyne.DoAndWait(func() {})
				ms := float64(time.Since(start).Microseconds()) / 1000
				mu.Lock()
				stalls[step] = max(stalls[step], ms)
				mu.Unlock()
			}
		}
	}()
	err := a.Tour(dir, func(name string) {
		mu.Lock()
		step = "screenshots" // drawing the image occupies the UI goroutine
		mu.Unlock()
		var img image.Image
		// The software painter draws the window's content as the GL driver
		// does, without reading back a GL framebuffer (which Xvfb's GL
		// gives back blank); the content returns to the window at once.
		fyne.DoAndWait(func() {
			w := a.Window()
			content, size := w.Content(), w.Canvas().Size()
			sc := software.NewCanvas()
			sc.SetContent(content)
			sc.Resize(size)
			img = sc.Capture()
			w.SetContent(content)
		})
		if f, err := os.Create(filepath.Join(dir, name+".png")); err == nil {
			png.Encode(f, img)
			f.Close()
		}
		mu.Lock()
		step = "after " + name // the work that follows this screen
		mu.Unlock()
	})
	close(done)
	mu.Lock()
	defer mu.Unlock()
	b, _ := json.MarshalIndent(map[string]any{"longest_ui_stall_ms_by_screen": stalls}, "", "  ")
	if werr := os.WriteFile(filepath.Join(dir, "timings.json"), b, 0o644); err == nil {
		err = werr
	}
	return err
}

// ScaleTour measures the window with many users: it signs in to the demo,
// previews and imports csv through the users screen, then switches tabs,
// calling mark with the time each step took until the window had drawn
// it (bench/users.sh runs it on the real driver under Xvfb).
func (a *Assistant) ScaleTour(csvDir string, csv []byte, mark func(step string, d time.Duration)) error {
	d := a.cfg.Demo
	if d == nil {
		return errors.New("the tour needs the demo account service (--demo)")
	}
	ui := func(f func()) { a.onUI(f); a.Wait() }
	probe := newFrameProbe()
	// drawn waits until the window has painted a frame after what ran
	// on the UI goroutine so far: the probe, a zero-sized widget beside the
	// window's content, is walked by the painter; the empty call queued
	// then runs once that frame is done.
	drawn := func() {
		a.onUI(func() {
			if s, ok := a.win.Content().(*fyne.Container); !ok || len(s.Objects) != 2 || s.Objects[1] != probe {
				a.win.SetContent(container.NewStack(a.win.Content(), probe))
			}
			probe.arm()
			canvas.Refresh(probe) // a frame is painted even if nothing else changed
		})
		<-probe.drawn
		fyne.DoAndWait(func() {})
	}
	timed := func(step string, f func()) {
		start := time.Now()
		ui(f)
		drawn()
		mark(step, time.Since(start))
	}
	ui(func() {
		a.signin.user.SetText(d.UserID)
		a.signin.password.SetText(d.Password)
		a.signin.submit()
	})
	ui(func() {
		a.signin.newPass.SetText("a demo passphrase, long enough")
		a.signin.newAgain.SetText("a demo passphrase, long enough")
	})
	ui(a.signin.submitChange)
	if a.me == nil {
		return fmt.Errorf("tour: sign-in failed: %s", a.signin.signInErr.Text())
	}
	path := filepath.Join(csvDir, "many-users.csv")
	if err := os.WriteFile(path, csv, 0o600); err != nil {
		return err
	}
	tab := func(id string) {
		for i, it := range a.tabs.Items {
			if it.Text == map[string]string{"products": lang.L("Products"), "users": lang.L("Users"), "callers": lang.L("Support callers"), "deploy": lang.L("Deployment")}[id] {
				a.tabs.SelectIndex(i)
			}
		}
	}
	// The switch is drawn at once; a list is read (again) behind it.
	switchTo := func(id string) {
		step := "switch to " + id
		if id == "users" && a.users == nil || id == "callers" && a.callers == nil || id == "deploy" && a.deploy == nil {
			step += " (first visit)"
		}
		start := time.Now()
		a.onUI(func() { tab(id) })
		drawn()
		mark(step, time.Since(start))
		a.Wait()
		drawn()
		if id == "users" || id == "callers" {
			mark("  then every background read done", time.Since(start))
		}
	}
	switchTo("users")
	ui(func() { a.users.csvPath.SetText(path) })
	timed("import preview", a.users.runPreview)
	if a.users.apply.Disabled() {
		return fmt.Errorf("tour: preview refused: %s", a.users.importErr.Text())
	}
	timed("import and list", a.users.runImport)
	if lines := bytes.Count(csv, []byte("\n")) - 1; len(a.users.table.all) < lines {
		return fmt.Errorf("tour: %d users after the import: %s", len(a.users.table.all), a.users.importErr.Text())
	}
	for _, id := range []string{"callers", "products", "users", "callers", "deploy", "users", "products", "users", "deploy"} {
		switchTo(id)
	}
	timed("search typed", func() { a.users.table.search.SetText("person 42") })
	timed("search cleared", func() { a.users.table.search.SetText("") })
	timed("tick the users shown", a.users.table.tickAll.OnTapped)
	return nil
}

// frameProbe tells when the painter has walked the window's tree: its
// renderer's Objects is asked for on every frame painted.
type frameProbe struct {
	widget.BaseWidget
	armed atomic.Bool
	drawn chan struct{}
}

func newFrameProbe() *frameProbe {
	p := &frameProbe{drawn: make(chan struct{}, 1)}
	p.ExtendBaseWidget(p)
	return p
}

func (p *frameProbe) arm() { p.armed.Store(true) }

func (p *frameProbe) CreateRenderer() fyne.WidgetRenderer { return probeRenderer{p} }

type probeRenderer struct{ p *frameProbe }

func (r probeRenderer) Objects() []fyne.CanvasObject {
	if r.p.armed.CompareAndSwap(true, false) {
		r.p.drawn <- struct{}{}
	}
	return nil
}
func (probeRenderer) Destroy()           {}
func (probeRenderer) Layout(fyne.Size)   {}
func (probeRenderer) MinSize() fyne.Size { return fyne.Size{} }
func (probeRenderer) Refresh()           {}
