package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

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
				a.users.forms.Open(1)
				a.users.csvPath.SetText(csv)
				a.users.runPreview()
			})
		}
		shot(tab)
	}
	return nil
}
