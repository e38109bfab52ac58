package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
)

func syntheticUsers(n int) []account.User {
	users := make([]account.User, n)
	for i := range users {
		users[i] = account.User{ID: fmt.Sprintf("U%08d", i), Email: fmt.Sprintf("person%04d@example.com", i), Name: fmt.Sprintf("Person %04d", i),
			Role: "user", Products: []string{"quill"}, Benefits: []api.Benefit{"download"}}
	}
	return users
}

// The table's work with 5,000 users, without the service: loading the
// list, a keystroke in the search, a sort, ticking every row shown, and
// the import preview's text.
func BenchmarkUsersTable5000(b *testing.B) {
	test.NewTempApp(b)
	a := &Assistant{me: &account.Me{}}
	users := syntheticUsers(5000)
	ticks := map[string]bool{}
	tb := newUserTable(a, func(u *account.User) bool { return ticks[u.ID] }, func(u *account.User, on bool) { ticks[u.ID] = on })
	w := test.NewWindow(tb.content())
	defer w.Close()
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			tb.setUsers(users)
		}
	})
	b.Run("search keystroke", func(b *testing.B) {
		for b.Loop() {
			tb.search.SetText("person 42")
			tb.search.SetText("")
		}
	})
	b.Run("sort by name", func(b *testing.B) {
		for b.Loop() {
			tb.sortOn(colName)
		}
	})
	b.Run("tick the rows shown", func(b *testing.B) {
		for b.Loop() {
			tb.tickShown(true)
			tb.tickShown(false)
		}
	})
	changes := make([]account.Change, 5000)
	for i := range changes {
		changes[i] = account.Change{Line: i + 2, Action: "create", Email: users[i].Email}
	}
	b.Run("preview text", func(b *testing.B) {
		for b.Loop() {
			previewText(changes)
		}
	})
}

// BenchmarkImportPreview5000 is the users screen's import preview of
// 5,000 new users against the demo service on loopback (bench/users.sh's
// step without the GL driver): the file read, the dry run, the answer
// decoded and the preview's text set.
func BenchmarkImportPreview5000(b *testing.B) {
	a, d, _ := demoAssistant(b, "en")
	signInFirstTime(b, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.selectTab("users") })
	u := a.users
	path := filepath.Join(b.TempDir(), "users.csv")
	if err := os.WriteFile(path, manyUsersCSV(5000), 0o644); err != nil {
		b.Fatal(err)
	}
	typeText(a, u.csvPath, path)
	for b.Loop() {
		act(a, u.runPreview)
		if u.apply.Disabled() {
			b.Fatalf("preview: %q %q", u.preview.Text, u.importErr.Text())
		}
	}
}
