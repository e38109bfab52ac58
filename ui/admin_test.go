package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/installer/deploy"
)

// The admin's path: add a user, import a list (bad lines shown, then the
// corrected file previewed and imported), assign to several users at
// once, designate callers up to the cap, build a deployment, update the
// profile.
func TestAdminPath(t *testing.T) {
	a, d, cfg := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	if a.users != nil {
		t.Fatal("the users tab was built before it was chosen")
	}
	act(a, func() { a.selectTab("products") })
	var seatsShown bool
	walkObjects(a.win.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "1 of 25 seats used") {
			seatsShown = true
		}
	})
	if !seatsShown {
		t.Error("no seat shows as used on the products tab")
	}
	act(a, func() { a.selectTab("users") })
	a.Wait()
	u := a.users
	if u == nil || len(u.users) != 4 {
		t.Fatalf("users screen: %+v", u)
	}

	// Add one.
	typeText(a, u.email, "new.hire@example.com")
	typeText(a, u.name, "New Hire")
	act(a, func() { u.addProducts.SetSelected([]string{"Quill Notes"}) })
	test.Tap(buttonIn(t, u.content(), "Add the user"))
	a.Wait()
	if len(u.users) != 5 || !strings.Contains(u.added.Text, "Added new.hire@example.com") || u.importErr.Visible() || u.preview.Text != "" {
		t.Fatalf("add: %d users, %q", len(u.users), u.added.Text)
	}

	// Import: every bad line shown, nothing imported.
	dir := t.TempDir()
	csv := filepath.Join(dir, "users.csv")
	os.WriteFile(csv, []byte("email,name,role,products,benefits\nok@example.com,Ok,user,quill,download\nnot-an-email,Bad,user,quill,download\nx@example.com,X,user,nosuch,download\n"), 0o644)
	typeText(a, u.csvPath, csv)
	test.Tap(buttonIn(t, u.content(), "Preview"))
	a.Wait()
	if !strings.Contains(u.importErr.Text(), "line 3: the email address is not valid") || !strings.Contains(u.importErr.Text(), "line 4") || !u.apply.Disabled() {
		t.Fatalf("bad lines: %q (import enabled: %v)", u.importErr.Text(), !u.apply.Disabled())
	}
	os.WriteFile(csv, []byte("email,name,role,products,benefits\nok@example.com,Ok,user,quill,download\nli.wei@example.com,Li Wei,user,quill,download\n"), 0o644)
	test.Tap(buttonIn(t, u.content(), "Preview"))
	a.Wait()
	if !strings.Contains(u.preview.Text, "ok@example.com: new user") || !strings.Contains(u.preview.Text, "li.wei@example.com: gets") || u.apply.Disabled() {
		t.Fatalf("preview: %q", u.preview.Text)
	}
	if users, _ := cfg.Client.Users(context.Background()); len(users) != 5 {
		t.Fatalf("the preview changed something: %d users", len(users))
	}
	tap(a, u.apply)
	a.Wait()
	if len(u.users) != 6 {
		t.Fatalf("import: %d users, %q", len(u.users), u.preview.Text)
	}
	test.Tap(cliButtonIn(t, u.content()))
	if !strings.Contains(a.lastCLI, "users ") {
		t.Fatalf("CLI: %q", a.lastCLI)
	}

	// Assign lumen and phone support to two users at once.
	var picked []string
	for _, usr := range u.users {
		if usr.Email == "ok@example.com" || usr.Email == "new.hire@example.com" {
			u.selected[usr.ID] = true
			picked = append(picked, usr.ID)
		}
	}
	act(a, func() { u.asProducts.SetSelected([]string{"Lumen Render"}) })
	act(a, func() { u.asBenefits.SetSelected([]string{"phone support"}) })
	test.Tap(buttonIn(t, u.content(), "Apply to the selected users"))
	a.Wait()
	users, _ := cfg.Client.Users(context.Background())
	for _, usr := range users {
		if slices.Contains(picked, usr.ID) && (!slices.Contains(usr.Products, "lumen") || !slices.Contains(usr.Benefits, "phone_support")) {
			t.Errorf("%s after assign: %v %v", usr.Email, usr.Products, usr.Benefits)
		}
	}

	// Callers: two places; the third check is disabled.
	act(a, func() { a.selectTab("callers") })
	a.Wait()
	c := a.callers
	for i := 0; i < 2; i++ {
		act(a, func() { c.set(c.users[i].ID, true) })
		a.Wait()
	}
	if !strings.Contains(c.status.Text, "2 of 2") {
		t.Fatalf("callers: %q", c.status.Text)
	}
	if err := cfg.Client.SetCaller(context.Background(), c.users[2].ID, true); err == nil {
		t.Fatal("a third caller was accepted")
	}
	var disabled int
	for i := range c.table.all {
		if ok, why := c.table.may(&c.table.all[i]); !ok && why != "" {
			disabled++
		}
	}
	if disabled != len(c.users)-2 || !c.full.Visible() {
		t.Errorf("%d rows disabled at the cap, want %d; reason shown: %v", disabled, len(c.users)-2, c.full.Visible())
	}

	// Deployment with seat registration.
	act(a, func() { a.selectTab("deploy") })
	dep := a.deploy
	out := filepath.Join(t.TempDir(), "deployment")
	act(a, func() { dep.products.SetSelected([]string{"Quill Notes"}) })
	// Linux: a deployment for Windows carries assistant.exe, which a test
	// binary has none of beside it.
	act(a, func() { dep.platforms.SetSelected([]string{"Linux (x64)"}) })
	typeText(a, dep.out, out)
	act(a, func() { dep.register.SetChecked(true) })
	tap(a, dep.create)
	a.Wait()
	dd, err := deploy.Read(out)
	if err != nil || dd.SeatRegistration == nil || len(dd.Products) != 1 || dd.Products[0].ID != "quill" {
		t.Fatalf("deployment: %v %q", err, dep.status.Text)
	}
	if _, err := os.Stat(filepath.Join(out, dd.Products[0].Packages["linux/amd64"].File)); err != nil {
		t.Fatal(err)
	}
	if signed, err := deploy.ReadCatalog(out); err != nil || !bytes.Equal(signed, assets.DemoSignedCatalog()) {
		t.Errorf("the folder does not carry the signed catalog the service served: %v", err)
	}
	if !strings.Contains(dep.command(), "deploy create --product quill --platform linux/amd64 --out "+out+" --register") {
		t.Errorf("deploy CLI: %q", dep.command())
	}
	used, seats, err := account.RegisterSeatWithKey(context.Background(), d.URL, dd.SeatRegistration.Key, "machine-from-test", "pc", "quill")
	if err != nil || used != 1 || seats != 25 {
		t.Fatalf("seat key: %d of %d, %v", used, seats, err)
	}

	// Profile.
	act(a, func() { a.selectTab("profile") })
	p := a.profile
	act(a, func() { p.name.SetText("Alex Martin-Durand") })
	typeText(a, p.phone, "+33 6 12 34 56 78")
	tap(a, p.save)
	a.Wait()
	me, _ := cfg.Client.WhoAmI(context.Background())
	if me.User.Name != "Alex Martin-Durand" || p.status.Text != "Saved." {
		t.Fatalf("profile: %+v %q", me.User, p.status.Text)
	}
	b, _ := json.Marshal(me)
	if !strings.Contains(string(b), "contract_manager") {
		t.Fatalf("role: %s", b)
	}
}
