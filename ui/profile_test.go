package ui

import (
	"context"
	"testing"
)

// Saving the profile's name keeps the phone number: the window is given
// the stored phone (the wire types carry it) and sends it back unchanged.
func TestProfileNameKeepsPhone(t *testing.T) {
	a, d, cfg := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.selectTab("profile") })
	typeText(a, a.profile.phone, "+33 6 12 34 56 78")
	tap(a, a.profile.save)

	// Another visit to the profile: only the name changes.
	act(a, func() { a.selectTab("products") })
	act(a, func() { a.selectTab("profile") })
	if got := a.profile.phone.Text; got != "+33 6 12 34 56 78" {
		t.Fatalf("the profile shows phone %q", got)
	}
	act(a, func() { a.profile.name.SetText("Alex Martin-Dupont") })
	tap(a, a.profile.save)
	me, err := cfg.Client.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.User.Name != "Alex Martin-Dupont" || me.User.Phone != "+33 6 12 34 56 78" {
		t.Fatalf("stored: name %q, phone %q", me.User.Name, me.User.Phone)
	}
}
