package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
)

// Roll back stays enabled while a rollback runs: a second confirmation
// opened then still offers "Roll back to 3.0.2" once the first has
// finished, and accepting it puts 3.1.0 back (a rollback that goes
// forward). The button should be disabled while an action runs on the
// card, and the rollback should name the version it expects to leave.
func TestRollbackNotOfferedTwice(t *testing.T) {
	a, c := quillWithPrevious(t)
	ctx := context.Background()
	tap(a, c.rollback)
	first := c.confirm
	var second *choiceDialog
	// One turn of the UI goroutine: the first rollback is confirmed (it
	// starts off the UI goroutine, "Working…") and Roll back is clicked
	// again before its outcome comes back.
	a.onUI(func() {
		test.Tap(first.buttons[1])
		if c.rollback.Disabled() {
			return
		}
		test.Tap(c.rollback)
		second = c.confirm
	})
	a.Wait()
	if second == nil {
		return // disabled while working: fine
	}
	st, err := a.core.State(ctx, "quill")
	if err != nil {
		t.Fatal(err)
	}
	if st.InstalledVersion != "3.0.2" {
		t.Fatalf("after the first rollback: %s", st.InstalledVersion)
	}
	t.Logf("the second confirmation, accepted after the first rollback finished, still offers %q",
		second.buttons[1].Text)
	tap(a, second.buttons[1])
	if st, _ := a.core.State(ctx, "quill"); st.InstalledVersion != "3.0.2" {
		t.Errorf("confirming \"Roll back to 3.0.2\" a second time left %s installed; the card says %q",
			st.InstalledVersion, a.cards["quill"].status.Text)
	}
}

// A rollback that finishes while another tab is shown: refreshStates
// skips the redraw (a.tab != "products"), and the products screen shown
// again is the one built before, still saying 3.1.0 is installed and
// offering "Roll back to 3.0.2", which would now go forward.
func TestProductsFreshAfterActionOnAnotherTab(t *testing.T) {
	a, c := quillWithPrevious(t)
	ctx := context.Background()
	tap(a, c.rollback)
	a.onUI(func() {
		test.Tap(c.confirm.buttons[1])            // the rollback starts
		a.tabs.SelectIndex(len(a.tabs.Items) - 1) // the user looks at the FAQ meanwhile
	})
	a.Wait()
	act(a, func() { a.tabs.SelectIndex(0) })
	if st, _ := a.core.State(ctx, "quill"); st.InstalledVersion != "3.0.2" {
		t.Fatalf("rollback: %s", st.InstalledVersion)
	}
	c = a.cards["quill"]
	if c.rollback != nil && c.rollback.Text == "Roll back to 3.0.2" {
		t.Errorf("3.0.2 is installed, yet the products tab shown again says %q and offers %q", c.state.Text, c.rollback.Text)
	}
}

// quillWithPrevious signs in, installs quill 3.0.2 and updates it, so that
// its card offers "Roll back to 3.0.2".
func quillWithPrevious(t *testing.T) (*Assistant, *productCard) {
	t.Helper()
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	ctx := context.Background()
	if _, err := a.core.Install(ctx, "quill@3.0.2", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.core.Update(ctx, "quill"); err != nil {
		t.Fatal(err)
	}
	act(a, a.refreshStates)
	return a, a.cards["quill"]
}
