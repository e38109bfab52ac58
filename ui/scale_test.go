package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// manyUsersCSV is n users, a third of them coordinators, every fifth with
// Quill Notes (the demo contract has seats enough for that).
func manyUsersCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("email,name,role,products,benefits\n")
	for i := range n {
		role, product := "user", ""
		if i%3 == 0 {
			role = "software_coordinator"
		}
		if i%250 == 0 {
			product = "quill"
		}
		fmt.Fprintf(&b, "person%04d@example.com,Person %04d,%s,%s,download\n", i, i, role, product)
	}
	return []byte(b.String())
}

// importThroughWindow seeds the demo service through the users screen's
// own import: preview, then Import.
func importThroughWindow(t testing.TB, a *Assistant, csv []byte) *usersScreen {
	t.Helper()
	act(a, func() { a.selectTab("users") })
	u := a.users
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, csv, 0o644); err != nil {
		t.Fatal(err)
	}
	typeText(a, u.csvPath, path)
	act(a, u.runPreview)
	if u.apply.Disabled() {
		t.Fatalf("preview: %q %q", u.preview.Text, u.importErr.Text())
	}
	tap(a, u.apply)
	return u
}

// 5,000 users imported through the window: the table holds them all yet
// draws only the rows on show; search, filters, sort, ticking the rows
// shown and a click on a row's text all work on the whole list.
func TestUsersTableAtScale(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	u := importThroughWindow(t, a, manyUsersCSV(5000))
	tb := u.table
	a.win.Resize(fyne.NewSize(800, 600))
	act(a, u.closePanel) // the table alone, the import's panel closed
	test.AssertRendersToMarkup(t, "users_5000.xml", a.win.Canvas())
	if len(u.users) != 5004 || len(tb.shown) != 5004 {
		t.Fatalf("%d users, %d shown; %q", len(u.users), len(tb.shown), u.preview.Text)
	}
	if !strings.HasPrefix(u.preview.Text, "Imported: 5,000 lines") {
		t.Errorf("import result: %q", u.preview.Text)
	}
	// Only what is on screen exists as widgets.
	var checks int
	walkObjects(a.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if i, ok := o.(*widget.Icon); ok && i.Resource != nil && strings.Contains(i.Resource.Name(), "check-box") {
			checks++ // a row's tick mark
		}
	})
	if checks == 0 || checks > 200 {
		t.Errorf("%d check boxes for 5,004 users: the table is not virtual", checks)
	}

	for _, tc := range []struct {
		name          string
		query         string
		role, product int // indexes in the selects; 0 is any
		want          int
	}{
		{"everyone", "", 0, 0, 5004},
		{"search by email", "person0042@", 0, 0, 1},
		{"search by name, any case", "PERSON 49", 0, 0, 100},
		{"search by ID", tb.all[len(tb.all)-1].ID, 0, 0, 1},
		{"coordinators", "", 2, 0, 1667 + 1}, // and the demo's coordinator
		{"Quill Notes", "", 0, 3, 20 + 1},    // and the manager, who has every product
		{"coordinators with Quill Notes", "", 2, 3, 7},
		{"nobody", "no such person", 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			act(a, func() {
				tb.search.SetText(tc.query)
				tb.roleSel.SetSelectedIndex(tc.role)
				tb.productSel.SetSelectedIndex(tc.product)
			})
			if len(tb.shown) != tc.want {
				t.Errorf("%d rows, want %d", len(tb.shown), tc.want)
			}
		})
	}

	// Tick every coordinator at once, then untick one by a click on its name.
	act(a, func() {
		tb.search.SetText("")
		tb.productSel.SetSelectedIndex(0)
		tb.roleSel.SetSelectedIndex(2)
	})
	test.Tap(tb.tickAll)
	if n := len(u.selectedIDs()); n != 1668 {
		t.Fatalf("%d ticked after ticking the coordinators shown", n)
	}
	first := tb.all[tb.shown[0]].ID
	act(a, func() { tb.table.Select(widget.TableCellID{Row: 0, Col: colName}) })
	if u.selected[first] || len(u.selectedIDs()) != 1667 {
		t.Errorf("a click on the row's name did not untick it (%d ticked)", len(u.selectedIDs()))
	}
	if !strings.Contains(tb.count.Text, "1,668 of 5,004 users shown, 1,667 ticked") {
		t.Errorf("count: %q", tb.count.Text)
	}

	// Sort by name, then the other way.
	act(a, func() { tb.roleSel.SetSelectedIndex(0); tb.sortOn(colName); tb.sortOn(colName) })
	for i := 1; i < len(tb.shown); i++ {
		if prev, cur := strings.ToLower(tb.all[tb.shown[i-1]].Name), strings.ToLower(tb.all[tb.shown[i]].Name); prev < cur {
			t.Fatalf("row %d: %q before %q, sorting by name descending", i, prev, cur)
		}
	}
}

// walkObjects visits o and everything rendered inside it.
func walkObjects(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	visit(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			walkObjects(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			walkObjects(c, visit)
		}
	}
}
